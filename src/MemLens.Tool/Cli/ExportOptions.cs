using System.CommandLine;
using System.CommandLine.Parsing;
using MemLens.Formatting;
using MemLens.Tool.Dashboard;

namespace MemLens.Tool.Cli;

/// <summary>What the watched process's figures are exported to, as settled from the command line.</summary>
/// <param name="Metrics">Where the Prometheus scrape endpoint listens, or null for none.</param>
/// <param name="Otlp">The OTLP/HTTP collector to push to, or null for none.</param>
/// <param name="OtlpHeaders">Headers every push carries (e.g. an API key).</param>
/// <param name="OtlpInterval">How often to push.</param>
internal sealed record ExportSettings(DashboardSettings? Metrics, Uri? Otlp, IReadOnlyDictionary<string, string> OtlpHeaders, TimeSpan OtlpInterval)
{
    /// <summary>True when something is to be exported.</summary>
    public bool Any => Metrics is not null || Otlp is not null;
}

/// <summary>
/// <c>--metrics-port N</c> (a Prometheus scrape endpoint), <c>--metrics-bind</c>, <c>--metrics-token</c>,
/// <c>--otlp URL</c> (OTLP/HTTP push), <c>--otlp-header</c>, <c>--otlp-interval</c>: for fleets, the verbs that
/// watch one process (watch, run) hand its figures to the monitoring stack a team already runs.
/// </summary>
internal sealed class ExportOptions
{
    /// <summary>How often figures are pushed over OTLP unless told otherwise.</summary>
    public static readonly TimeSpan DefaultOtlpInterval = TimeSpan.FromSeconds(10);

    public Option<int?> MetricsPort { get; } = new("--metrics-port")
    {
        Description = "Serve the process's figures for Prometheus at http://127.0.0.1:N/metrics (text format, named " +
                      "memlens_…, labelled pid, process_name and runtime); 0 picks a free port, printed at start. Default: off.",
        HelpName = "N",
        CustomParser = DashboardOptions.ParsePort,
    };

    public Option<System.Net.IPAddress?> MetricsBind { get; } = new("--metrics-bind")
    {
        Description = "IP address the metrics endpoint listens on. Any address but loopback requires a bearer token " +
                      "(--metrics-token-file, MEMLENS_METRICS_TOKEN or --metrics-token; else a random one printed at start). Default: 127.0.0.1.",
        HelpName = "ADDRESS",
        CustomParser = DashboardOptions.ParseAddress,
    };

    /// <summary><c>--metrics-token</c>, <c>--metrics-token-file</c> and <c>MEMLENS_METRICS_TOKEN</c> (not the dashboard's: a scraper's token opens no dashboard).</summary>
    public TokenOptions MetricsTokens { get; } = new("--metrics-token", "--metrics-token-file", MetricsTokenVariable, "scrapes of the metrics endpoint (Prometheus: authorization: { credentials_file: … })");

    /// <summary>The environment variable the metrics endpoint's token is read from when no option gives it.</summary>
    public const string MetricsTokenVariable = "MEMLENS_METRICS_TOKEN";

    public Option<Uri?> Otlp { get; } = new("--otlp")
    {
        Description = "Push the process's figures to this OpenTelemetry collector over OTLP/HTTP (protobuf), e.g. " +
                      "http://collector:4318 (/v1/metrics is added). Default: off.",
        HelpName = "URL",
        CustomParser = ParseCollector,
    };

    public Option<string[]> OtlpHeaders { get; } = new("--otlp-header")
    {
        Description = "A header every OTLP push carries, NAME=VALUE (e.g. an API key); repeat for more.",
        HelpName = "NAME=VALUE",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<TimeSpan?> OtlpInterval { get; } = new("--otlp-interval")
    {
        Description = "How often to push over OTLP: 1s to 10m. Default: 10s.",
        HelpName = "TIME",
        CustomParser = ParseInterval,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(MetricsPort);
        command.Options.Add(MetricsBind);
        command.Options.Add(MetricsTokens.Token);
        command.Options.Add(MetricsTokens.File);
        command.Options.Add(Otlp);
        command.Options.Add(OtlpHeaders);
        command.Options.Add(OtlpInterval);
        command.Validators.Add(r =>
        {
            if (r.GetResult(MetricsPort) is null
                && (r.GetResult(MetricsBind) is not null || r.GetResult(MetricsTokens.Token) is not null || r.GetResult(MetricsTokens.File) is not null))
            {
                r.AddError("--metrics-bind, --metrics-token and --metrics-token-file configure the metrics endpoint: add --metrics-port N.");
            }
            else if (r.GetResult(MetricsPort) is not null && MetricsTokens.Problem(r, r.GetValue(MetricsBind) ?? System.Net.IPAddress.Loopback) is { } problem)
            {
                r.AddError(problem);
            }

            if (r.GetResult(Otlp) is null && (r.GetResult(OtlpHeaders) is not null || r.GetResult(OtlpInterval) is not null))
            {
                r.AddError("--otlp-header and --otlp-interval configure the OTLP push: add --otlp URL.");
            }

            foreach (string header in r.GetValue(OtlpHeaders) ?? [])
            {
                int eq = header.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || header[..eq].Any(c => c <= ' ' || c > '~' || c == ':'))
                {
                    r.AddError($"--otlp-header takes NAME=VALUE, e.g. api-key=abc123, not '{header}'.");
                }
            }
        });
    }

    public ExportSettings Read(ParseResult parse)
    {
        DashboardSettings? metrics = null;
        if (parse.GetValue(MetricsPort) is { } port)
        {
            var warnings = new List<string>();
            string? token = MetricsTokens.Read(parse, warnings);
            foreach (string warning in warnings)
            {
                Console.Error.WriteLine("memlens: " + warning);
            }

            metrics = DashboardSettings.Create(parse.GetValue(MetricsBind) ?? System.Net.IPAddress.Loopback, port, token, openBrowser: false);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string header in parse.GetValue(OtlpHeaders) ?? [])
        {
            int eq = header.IndexOf('=', StringComparison.Ordinal);
            headers[header[..eq]] = header[(eq + 1)..];
        }

        return new ExportSettings(metrics, parse.GetValue(Otlp), headers, parse.GetValue(OtlpInterval) ?? DefaultOtlpInterval);
    }

    private static Uri? ParseCollector(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
        {
            return uri;
        }

        result.AddError($"--otlp takes the collector's http(s) address, e.g. http://127.0.0.1:4318, not '{text}'.");
        return null;
    }

    private static TimeSpan? ParseInterval(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Durations.TryParse(text, out var value) && value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromMinutes(10))
        {
            return value;
        }

        result.AddError($"--otlp-interval takes a time from 1s to 10m, e.g. 15s, not '{text}'.");
        return null;
    }
}
