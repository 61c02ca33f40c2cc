using Google.Protobuf;

namespace MemLens.Tests.Shared.Otlp;

/// <summary>
/// Decodes an OTLP <c>ExportMetricsServiceRequest</c> by hand with <see cref="CodedInputStream"/>, reading only what the
/// tests look at; every other field is skipped. Field numbers are those of opentelemetry-proto:
/// opentelemetry/proto/collector/metrics/v1/metrics_service.proto (ExportMetricsServiceRequest),
/// opentelemetry/proto/metrics/v1/metrics.proto (ResourceMetrics, ScopeMetrics, Metric, Gauge, Sum, NumberDataPoint),
/// opentelemetry/proto/resource/v1/resource.proto (Resource) and
/// opentelemetry/proto/common/v1/common.proto (KeyValue, AnyValue, InstrumentationScope).
/// </summary>
internal static class OtlpMetricsDecoder
{
    /// <summary>Decodes a request body (already un-gzipped). Throws <see cref="InvalidProtocolBufferException"/> on malformed input.</summary>
    public static IReadOnlyList<OtlpResourceMetrics> Decode(ReadOnlySpan<byte> body)
    {
        var result = new List<OtlpResourceMetrics>();
        var input = new CodedInputStream(body.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            // ExportMetricsServiceRequest: repeated ResourceMetrics resource_metrics = 1;
            if (Is(tag, 1, WireFormat.WireType.LengthDelimited))
            {
                result.Add(ReadResourceMetrics(input.ReadBytes()));
            }
            else
            {
                input.SkipLastField();
            }
        }

        return result;
    }

    private static OtlpResourceMetrics ReadResourceMetrics(ByteString bytes)
    {
        // ResourceMetrics: Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        var scopes = new List<OtlpScopeMetrics>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Is(tag, 1, WireFormat.WireType.LengthDelimited))
            {
                ReadResource(input.ReadBytes(), attributes);
            }
            else if (Is(tag, 2, WireFormat.WireType.LengthDelimited))
            {
                scopes.Add(ReadScopeMetrics(input.ReadBytes()));
            }
            else
            {
                input.SkipLastField();
            }
        }

        return new OtlpResourceMetrics(attributes, scopes);
    }

    private static void ReadResource(ByteString bytes, Dictionary<string, object?> attributes)
    {
        // Resource: repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Is(tag, 1, WireFormat.WireType.LengthDelimited))
            {
                var (key, value) = ReadKeyValue(input.ReadBytes());
                attributes[key] = value;
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    private static (string Key, object? Value) ReadKeyValue(ByteString bytes)
    {
        // KeyValue: string key = 1; AnyValue value = 2;
        string key = "";
        object? value = null;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Is(tag, 1, WireFormat.WireType.LengthDelimited))
            {
                key = input.ReadString();
            }
            else if (Is(tag, 2, WireFormat.WireType.LengthDelimited))
            {
                value = ReadAnyValue(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return (key, value);
    }

    /// <summary>string → string, bool → bool, int → long, double → double; arrays, kvlists and bytes are not read (null).</summary>
    private static object? ReadAnyValue(ByteString bytes)
    {
        // AnyValue: oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; … }
        object? value = null;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Is(tag, 1, WireFormat.WireType.LengthDelimited))
            {
                value = input.ReadString();
            }
            else if (Is(tag, 2, WireFormat.WireType.Varint))
            {
                value = input.ReadBool();
            }
            else if (Is(tag, 3, WireFormat.WireType.Varint))
            {
                value = input.ReadInt64();
            }
            else if (Is(tag, 4, WireFormat.WireType.Fixed64))
            {
                value = input.ReadDouble();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return value;
    }

    private static OtlpScopeMetrics ReadScopeMetrics(ByteString bytes)
    {
        // ScopeMetrics: InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3;
        // InstrumentationScope: string name = 1; string version = 2; repeated KeyValue attributes = 3;
        string name = "", version = "";
        var metrics = new List<OtlpMetric>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Is(tag, 1, WireFormat.WireType.LengthDelimited))
            {
                var scope = input.ReadBytes().CreateCodedInput();
                uint scopeTag;
                while ((scopeTag = scope.ReadTag()) != 0)
                {
                    if (Is(scopeTag, 1, WireFormat.WireType.LengthDelimited))
                    {
                        name = scope.ReadString();
                    }
                    else if (Is(scopeTag, 2, WireFormat.WireType.LengthDelimited))
                    {
                        version = scope.ReadString();
                    }
                    else
                    {
                        scope.SkipLastField();
                    }
                }
            }
            else if (Is(tag, 2, WireFormat.WireType.LengthDelimited))
            {
                metrics.Add(ReadMetric(input.ReadBytes()));
            }
            else
            {
                input.SkipLastField();
            }
        }

        return new OtlpScopeMetrics(name, version, metrics);
    }

    private static OtlpMetric ReadMetric(ByteString bytes)
    {
        // Metric: string name = 1; string description = 2; string unit = 3;
        //         oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExponentialHistogram = 10; Summary = 11; }
        string name = "", description = "", unit = "";
        var type = OtlpMetricType.Other;
        bool monotonic = false;
        int temporality = 0;
        var points = new List<OtlpNumberPoint>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Is(tag, 1, WireFormat.WireType.LengthDelimited))
            {
                name = input.ReadString();
            }
            else if (Is(tag, 2, WireFormat.WireType.LengthDelimited))
            {
                description = input.ReadString();
            }
            else if (Is(tag, 3, WireFormat.WireType.LengthDelimited))
            {
                unit = input.ReadString();
            }
            else if (Is(tag, 5, WireFormat.WireType.LengthDelimited))
            {
                type = OtlpMetricType.Gauge;
                ReadGaugeOrSum(input.ReadBytes(), points, ref temporality, ref monotonic);
            }
            else if (Is(tag, 7, WireFormat.WireType.LengthDelimited))
            {
                type = OtlpMetricType.Sum;
                ReadGaugeOrSum(input.ReadBytes(), points, ref temporality, ref monotonic);
            }
            else
            {
                input.SkipLastField();
            }
        }

        return new OtlpMetric(name, description, unit, type, monotonic, (OtlpTemporality)temporality, points);
    }

    private static void ReadGaugeOrSum(ByteString bytes, List<OtlpNumberPoint> points, ref int temporality, ref bool monotonic)
    {
        // Gauge: repeated NumberDataPoint data_points = 1;
        // Sum:   repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Is(tag, 1, WireFormat.WireType.LengthDelimited))
            {
                points.Add(ReadNumberPoint(input.ReadBytes()));
            }
            else if (Is(tag, 2, WireFormat.WireType.Varint))
            {
                temporality = input.ReadEnum();
            }
            else if (Is(tag, 3, WireFormat.WireType.Varint))
            {
                monotonic = input.ReadBool();
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    private static OtlpNumberPoint ReadNumberPoint(ByteString bytes)
    {
        // NumberDataPoint: fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
        //                  oneof value { double as_double = 4; sfixed64 as_int = 6; } repeated KeyValue attributes = 7;
        ulong start = 0, time = 0;
        double? asDouble = null;
        long? asInt = null;
        int attributes = 0;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (Is(tag, 2, WireFormat.WireType.Fixed64))
            {
                start = input.ReadFixed64();
            }
            else if (Is(tag, 3, WireFormat.WireType.Fixed64))
            {
                time = input.ReadFixed64();
            }
            else if (Is(tag, 4, WireFormat.WireType.Fixed64))
            {
                asDouble = input.ReadDouble();
            }
            else if (Is(tag, 6, WireFormat.WireType.Fixed64))
            {
                asInt = input.ReadSFixed64();
            }
            else if (Is(tag, 7, WireFormat.WireType.LengthDelimited))
            {
                attributes++;
                input.SkipLastField();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return new OtlpNumberPoint(start, time, asDouble, asInt, attributes);
    }

    private static bool Is(uint tag, int field, WireFormat.WireType wireType) =>
        WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == wireType;
}

/// <summary>One <c>ResourceMetrics</c>: the resource's attributes and its scopes.</summary>
internal sealed record OtlpResourceMetrics(IReadOnlyDictionary<string, object?> Attributes, IReadOnlyList<OtlpScopeMetrics> Scopes);

/// <summary>One <c>ScopeMetrics</c>: the instrumentation scope (meter) and its metrics.</summary>
internal sealed record OtlpScopeMetrics(string Name, string Version, IReadOnlyList<OtlpMetric> Metrics);

/// <summary>Gauge, Sum, or anything else (histograms, summaries: not read).</summary>
internal enum OtlpMetricType
{
    Other,
    Gauge,
    Sum,
}

/// <summary>metrics.proto's AggregationTemporality.</summary>
internal enum OtlpTemporality
{
    Unspecified = 0,
    Delta = 1,
    Cumulative = 2,
}

/// <summary>One <c>Metric</c> with its number data points; <see cref="IsMonotonic"/> and <see cref="Temporality"/> only for a Sum.</summary>
internal sealed record OtlpMetric(
    string Name, string Description, string Unit, OtlpMetricType Type, bool IsMonotonic, OtlpTemporality Temporality, IReadOnlyList<OtlpNumberPoint> Points);

/// <summary>One <c>NumberDataPoint</c>: a double or an integer value, its times, and how many attributes it had.</summary>
internal sealed record OtlpNumberPoint(ulong StartTimeUnixNano, ulong TimeUnixNano, double? AsDouble, long? AsInt, int AttributeCount)
{
    /// <summary>The value whichever way it was sent.</summary>
    public double Value => AsDouble ?? AsInt ?? double.NaN;
}
