using System.Diagnostics.Metrics;
using System.Reflection;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.OpenTelemetry;

/// <summary>
/// One <see cref="Meter"/> named <c>MemLens</c> with an observable instrument per catalog metric, each reporting its
/// series' latest value in a store when the SDK collects. Instruments are named and described exactly as the catalog.
/// </summary>
internal sealed class MemLensInstruments : IDisposable
{
    /// <summary>The meter's name, which is also the instrumentation scope's name in OTLP.</summary>
    public const string MeterName = "MemLens";

    private static readonly Measurement<double>[] s_none = [];
    private readonly MetricStore _store;

    public MemLensInstruments(MetricStore store)
    {
        _store = store;
        Meter = new Meter(MeterName, Version);
        foreach (var metric in MetricCatalog.All)
        {
            var m = metric;
            string unit = Ucum(m.Unit);
            if (m.Kind == MetricKind.Counter)
            {
                Meter.CreateObservableCounter(m.Name, () => Observe(m), unit, m.Help);
            }
            else
            {
                Meter.CreateObservableGauge(m.Name, () => Observe(m), unit, m.Help);
            }
        }
    }

    /// <summary>The assembly's informational version, e.g. <c>0.1.0+1a2b3c…</c>: the OTLP scope's version.</summary>
    public static string Version { get; } =
        typeof(MemLensInstruments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(MemLensInstruments).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    /// <summary>This exporter's own meter; other meters called MemLens in the process are not its business.</summary>
    public Meter Meter { get; }

    /// <summary>The unit in UCUM, as OpenTelemetry's semantic conventions write it.</summary>
    public static string Ucum(MetricUnit unit) => unit switch
    {
        MetricUnit.Bytes => "By",
        MetricUnit.Seconds => "s",
        MetricUnit.Ratio => "1",
        MetricUnit.Count => "{count}",
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown unit."),
    };

    public void Dispose() => Meter.Dispose();

    // Runs on the SDK's collecting thread. A series without a value reports nothing: an absent figure is not zero.
    private IEnumerable<Measurement<double>> Observe(MetricDescriptor metric) =>
        _store.TryGetLatest(metric, out _, out double value) ? [new Measurement<double>(value)] : s_none;
}
