using System.Globalization;
using System.Text.Json;

namespace MemLens.Go;

/// <summary>
/// Reads <c>runtime.MemStats</c> from the two places a Go program serves them without any code of its own:
/// the text heap profile of <c>net/http/pprof</c> and the JSON of <c>expvar</c>. Tolerant (unknown lines and
/// fields are skipped, a figure that does not parse is absent) and never throwing: a response without the figures
/// gives <c>false</c> and a one-line error.
/// </summary>
public static class GoMemStatsParser
{
    private const string SectionHeader = "# runtime.MemStats";

    /// <summary>
    /// Parses the text of <c>/debug/pprof/heap?debug=1</c>. Its last section, written by runtime/pprof, is
    /// <c># runtime.MemStats</c> followed by lines <c># Name = value</c>: <c># Sys = 84328728</c>,
    /// <c># Stack = inuse / sys</c>, <c># GCCPUFraction = 0.0116…</c> (Go's <c>%v</c>, so possibly <c>1.2e-05</c>), and
    /// arrays such as <c># PauseNs = [...]</c> which are skipped. Go (1.19 to current) prints no <c>PauseTotalNs</c>
    /// there, so that figure is absent unless a line names it.
    /// </summary>
    /// <param name="text">The whole response, or at least its end from the section header on.</param>
    /// <param name="stats">The figures found; null on failure.</param>
    /// <param name="error">One line saying why nothing could be read; null on success.</param>
    /// <returns>True when the section is there with at least one figure MemLens reads.</returns>
    public static bool TryParsePprofHeap(ReadOnlySpan<char> text, out GoMemStats? stats, out string? error)
    {
        stats = null;
        error = null;
        int start = FindSection(text);
        if (start < 0)
        {
            error = "no \"# runtime.MemStats\" section in the heap profile (is it /debug/pprof/heap?debug=1?)";
            return false;
        }

        var fields = default(Fields);
        ReadOnlySpan<char> rest = text[start..];
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf('\n');
            ReadOnlySpan<char> line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            ReadPprofLine(line.TrimEnd(" \t\r"), ref fields);
        }

        return fields.TryBuild(out stats, out error, "the heap profile's runtime.MemStats section");
    }

    /// <summary>
    /// Parses the JSON of expvar's <c>/debug/vars</c>: a top-level object whose <c>memstats</c> member is
    /// <c>runtime.MemStats</c> marshalled by encoding/json (<c>"Sys":84328728</c>, …, <c>"GCCPUFraction":0.0116…</c>).
    /// Other members and the big arrays inside memstats (<c>PauseNs</c>, <c>PauseEnd</c>, <c>BySize</c>) are skipped
    /// token by token, without allocating.
    /// </summary>
    /// <param name="json">The whole response body (UTF-8).</param>
    /// <param name="stats">The figures found; null on failure.</param>
    /// <param name="error">One line saying why nothing could be read; null on success.</param>
    /// <returns>True when the JSON is well formed and its memstats object has at least one figure MemLens reads.</returns>
    public static bool TryParseExpvar(ReadOnlySpan<byte> json, out GoMemStats? stats, out string? error) =>
        TryParseExpvar(json, isComplete: true, out stats, out error);

    /// <summary>
    /// As <see cref="TryParseExpvar(ReadOnlySpan{byte}, out GoMemStats?, out string?)"/>; with
    /// <paramref name="isComplete"/> false the body was cut at a size limit, and a memstats object that ended before
    /// the cut is enough.
    /// </summary>
    internal static bool TryParseExpvar(ReadOnlySpan<byte> json, bool isComplete, out GoMemStats? stats, out string? error)
    {
        stats = null;
        error = null;
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = "empty response, expected expvar's JSON object";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: isComplete, default);
            if (!reader.Read())
            {
                error = "the response was cut before any JSON";
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = $"expected expvar's JSON object, found {Describe(reader.TokenType)}";
                return false;
            }

            Fields? found = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isMemStats = found is null && reader.ValueTextEquals("memstats"u8);
                if (!reader.Read())
                {
                    break; // cut inside the object (only when !isComplete; a complete body throws instead)
                }

                if (!isMemStats)
                {
                    if (!reader.TrySkip())
                    {
                        break;
                    }

                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    error = $"expvar's memstats is {Describe(reader.TokenType)}, not an object";
                    return false;
                }

                if (!ReadMemStatsObject(ref reader, out Fields fields))
                {
                    break;
                }

                found = fields;
                if (!isComplete)
                {
                    return fields.TryBuild(out stats, out error, "expvar's memstats object");
                }
            }

            if (isComplete)
            {
                // The loop ended on the top-level '}' (anything else throws); one more read checks that nothing follows.
                if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                {
                    error = "malformed JSON: unexpected content after the top-level object";
                    return false;
                }
            }

            if (found is not Fields memStats)
            {
                error = isComplete
                    ? "no memstats object in expvar's JSON (does the program import expvar?)"
                    : "the response was cut before the end of expvar's memstats object";
                return false;
            }

            return memStats.TryBuild(out stats, out error, "expvar's memstats object");
        }
        catch (JsonException ex)
        {
            error = "malformed JSON: " + OneLine(ex.Message);
            return false;
        }
    }

    // The header must be a whole line: at the start of the text or after a line break, followed by a line end.
    private static int FindSection(ReadOnlySpan<char> text)
    {
        int offset = 0;
        while (offset < text.Length)
        {
            int at = text[offset..].IndexOf(SectionHeader, StringComparison.Ordinal);
            if (at < 0)
            {
                return -1;
            }

            at += offset;
            int after = at + SectionHeader.Length;
            bool lineStart = at == 0 || text[at - 1] == '\n';
            ReadOnlySpan<char> tail = text[after..];
            int lineEnd = tail.IndexOf('\n');
            bool lineEndsHere = (lineEnd < 0 ? tail : tail[..lineEnd]).Trim(" \t\r").IsEmpty;
            if (lineStart && lineEndsHere)
            {
                return lineEnd < 0 ? text.Length : after + lineEnd + 1;
            }

            offset = after;
        }

        return -1;
    }

    private static void ReadPprofLine(ReadOnlySpan<char> line, ref Fields fields)
    {
        if (!line.StartsWith("# ", StringComparison.Ordinal))
        {
            return;
        }

        line = line[2..];
        int eq = line.IndexOf(" = ", StringComparison.Ordinal);
        if (eq <= 0)
        {
            return;
        }

        ReadOnlySpan<char> name = line[..eq];
        ReadOnlySpan<char> value = line[(eq + 3)..].Trim(' ');
        switch (name)
        {
            case "Sys": fields.Sys ??= Integer(value); break;
            case "HeapSys": fields.HeapSys ??= Integer(value); break;
            case "HeapAlloc": fields.HeapAlloc ??= Integer(value); break;
            case "HeapInuse": fields.HeapInuse ??= Integer(value); break;
            case "HeapIdle": fields.HeapIdle ??= Integer(value); break;
            case "HeapReleased": fields.HeapReleased ??= Integer(value); break;
            case "StackInuse": fields.StackInuse ??= Integer(value); break;
            case "Stack":
                // "# Stack = StackInuse / StackSys"
                int slash = value.IndexOf('/');
                fields.StackInuse ??= slash < 0 ? null : Integer(value[..slash].TrimEnd(' '));
                break;
            case "NextGC": fields.NextGC ??= Integer(value); break;
            case "NumGC": fields.NumGC ??= Integer(value); break;
            case "PauseTotalNs": fields.PauseTotalNs ??= Integer(value); break;
            case "GCCPUFraction": fields.GCCPUFraction ??= Fraction(value); break;
            default: break;
        }
    }

    // Reads the members of the memstats object; the reader is on its '{' and ends on its '}'. False when the input
    // ends first (only possible when it is not the final block).
    private static bool ReadMemStatsObject(ref Utf8JsonReader reader, out Fields fields)
    {
        fields = default;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }

            // Anything but a property name here is malformed and has already thrown.
            int field = FieldOf(ref reader);
            if (!reader.Read())
            {
                return false;
            }

            if (field < 0 || reader.TokenType != JsonTokenType.Number)
            {
                if (!reader.TrySkip())
                {
                    return false;
                }

                continue;
            }

            if (field == GcCpuFractionField)
            {
                fields.GCCPUFraction ??= reader.TryGetDouble(out double d) && double.IsFinite(d) ? d : null;
            }
            else
            {
                fields.Set(field, Integer(ref reader));
            }
        }

        return false;
    }

    private const int GcCpuFractionField = 10;

    private static int FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("Sys"u8) ? 0 :
        reader.ValueTextEquals("HeapSys"u8) ? 1 :
        reader.ValueTextEquals("HeapAlloc"u8) ? 2 :
        reader.ValueTextEquals("HeapInuse"u8) ? 3 :
        reader.ValueTextEquals("HeapIdle"u8) ? 4 :
        reader.ValueTextEquals("HeapReleased"u8) ? 5 :
        reader.ValueTextEquals("StackInuse"u8) ? 6 :
        reader.ValueTextEquals("NextGC"u8) ? 7 :
        reader.ValueTextEquals("NumGC"u8) ? 8 :
        reader.ValueTextEquals("PauseTotalNs"u8) ? 9 :
        reader.ValueTextEquals("GCCPUFraction"u8) ? GcCpuFractionField : -1;

    // Go's figures are unsigned; a negative or non-integral number, or one beyond long, is treated as absent.
    private static long? Integer(ref Utf8JsonReader reader)
    {
        if (reader.TryGetInt64(out long value))
        {
            return value >= 0 ? value : null;
        }

        return reader.TryGetDouble(out double d) && d >= 0 && d < 9.2e18 && Math.Floor(d) == d ? (long)d : null;
    }

    private static long? Integer(ReadOnlySpan<char> text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;

    private static double? Fraction(ReadOnlySpan<char> text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) ? value : null;

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>The figures as they are found; the first occurrence of each wins.</summary>
    private struct Fields
    {
        public long? Sys;
        public long? HeapSys;
        public long? HeapAlloc;
        public long? HeapInuse;
        public long? HeapIdle;
        public long? HeapReleased;
        public long? StackInuse;
        public long? NextGC;
        public long? NumGC;
        public long? PauseTotalNs;
        public double? GCCPUFraction;

        public void Set(int field, long? value)
        {
            switch (field)
            {
                case 0: Sys ??= value; break;
                case 1: HeapSys ??= value; break;
                case 2: HeapAlloc ??= value; break;
                case 3: HeapInuse ??= value; break;
                case 4: HeapIdle ??= value; break;
                case 5: HeapReleased ??= value; break;
                case 6: StackInuse ??= value; break;
                case 7: NextGC ??= value; break;
                case 8: NumGC ??= value; break;
                case 9: PauseTotalNs ??= value; break;
                default: break;
            }
        }

        public readonly bool TryBuild(out GoMemStats? stats, out string? error, string where)
        {
            stats = new GoMemStats
            {
                Sys = Sys,
                HeapSys = HeapSys,
                HeapAlloc = HeapAlloc,
                HeapInuse = HeapInuse,
                HeapIdle = HeapIdle,
                HeapReleased = HeapReleased,
                StackInuse = StackInuse,
                NextGC = NextGC,
                NumGC = NumGC,
                PauseTotalNs = PauseTotalNs,
                GCCPUFraction = GCCPUFraction,
            };
            if (stats.Count == 0)
            {
                stats = null;
                error = where + " has none of the figures MemLens reads (Sys, HeapAlloc, NextGC, …)";
                return false;
            }

            error = null;
            return true;
        }
    }
}
