using System.Buffers;
using System.Globalization;
using System.Text;
using MemLens.Metrics;
using MemLens.Storage;

namespace MemLens.Exporting;

/// <summary>
/// Writes the newest value of every series in a store in Prometheus's text exposition format (version 0.0.4):
/// a <c># HELP</c> line from the catalog, a <c># TYPE</c> line and one sample labelled with the process, per metric.
/// </summary>
/// <remarks>
/// Written by hand: the format is a few lines per metric, and no package the registry serves writes it without
/// bringing its own metric registry (prometheus-net, OpenTelemetry's Prometheus exporter, which is not served).
/// The output is checked by Prometheus's own <c>promtool check metrics</c> in the tests, not by this code.
/// Samples carry no timestamp: Prometheus stamps them with the scrape time, and staleness works as it should when
/// a series disappears. The HELP and TYPE lines are encoded once per process, the labels once per instance, so a
/// scrape allocates nothing but what the buffer writer hands out.
/// </remarks>
public sealed class PrometheusExposition
{
    /// <summary>The Content-Type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly byte[][] s_headers = BuildHeaders();

    private readonly byte[] _labels;

    /// <summary>An exposition whose samples are labelled <c>pid</c>, <c>process_name</c> and <c>runtime</c> of <paramref name="process"/>.</summary>
    public PrometheusExposition(ExportedProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        Process = process;
        _labels = Encoding.UTF8.GetBytes(
            $"{{pid=\"{process.ProcessId.ToString(CultureInfo.InvariantCulture)}\",process_name=\"{EscapeLabel(process.Name)}\",runtime=\"{EscapeLabel(process.Runtime)}\"}} ");
    }

    /// <summary>The process the samples are labelled with.</summary>
    public ExportedProcess Process { get; }

    /// <summary>Writes every series of <paramref name="store"/> that has a value, in catalog order.</summary>
    public void Write(IBufferWriter<byte> output, MetricStore store)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(store);
        var all = MetricCatalog.All;
        for (int i = 0; i < all.Count; i++) // not foreach: the interface's enumerator would be a heap object per scrape
        {
            var metric = all[i];
            if (!store.TryGetLatest(metric, out _, out double value))
            {
                continue;
            }

            byte[] header = s_headers[metric.Id];
            string name = PrometheusNames.Of(metric);
            // name + labels + a double (at most 24 characters in "R" form) + newline.
            var span = output.GetSpan(header.Length + name.Length + _labels.Length + 32);
            header.CopyTo(span);
            int at = header.Length;
            at += Encoding.ASCII.GetBytes(name, span[at..]);
            _labels.CopyTo(span[at..]);
            at += _labels.Length;
            at += FormatValue(value, span[at..]);
            span[at++] = (byte)'\n';
            output.Advance(at);
        }
    }

    /// <summary>The exposition as a string (for tools and tests; scrapes use <see cref="Write"/>).</summary>
    public string WriteToString(MetricStore store)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        Write(buffer, store);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // Prometheus parses values with Go's ParseFloat: "R" round-trips every double and stays in a form it reads
    // ("1E+20" included). Whole numbers, most of what MemLens exposes, are written without a fraction.
    private static int FormatValue(double value, Span<byte> destination)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
        {
            ((long)value).TryFormat(destination, out int written, default, CultureInfo.InvariantCulture);
            return written;
        }

        value.TryFormat(destination, out int n, "R", CultureInfo.InvariantCulture);
        return n;
    }

    private static byte[][] BuildHeaders()
    {
        var headers = new byte[MetricCatalog.Count][];
        foreach (var metric in MetricCatalog.All)
        {
            string name = PrometheusNames.Of(metric);
            headers[metric.Id] = Encoding.UTF8.GetBytes(
                $"# HELP {name} {EscapeHelp(metric.Help)}\n# TYPE {name} {PrometheusNames.TypeOf(metric)}\n");
        }

        return headers;
    }

    // HELP text escapes backslash and line feed; label values also escape the double quote.
    internal static string EscapeHelp(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    internal static string EscapeLabel(string text) => EscapeHelp(text).Replace("\"", "\\\"", StringComparison.Ordinal);
}
