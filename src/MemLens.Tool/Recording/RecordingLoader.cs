using MemLens.Formatting;
using System.Globalization;
using MemLens.AspNetCore;
using MemLens.Recording;
using MemLens.Storage;
using MemLens.Tool.Dashboard;

namespace MemLens.Tool.Recording;

/// <summary>A recording read back into a store, for open, report and doctor.</summary>
internal sealed record RecordingLoader(string Path, IReadOnlyDictionary<string, string> Facts, MetricStore Store, long FirstMs, long LastMs)
{
    /// <summary>The store's budget for a recording: 8× the live default, room for weeks of downsampled data.</summary>
    public const long StoreBudgetBytes = 64L << 20;

    /// <summary>Events read back at most (the newest kept).</summary>
    public const int MaxEvents = 200_000;

    /// <summary>
    /// Opens <paramref name="path"/> and loads it, with progress on the status line. Null (and one line said on
    /// stderr) when the file is missing, damaged or not a recording.
    /// </summary>
    public static RecordingLoader? Load(string path, CancellationToken ct)
    {
        var status = new StatusLine();
        try
        {
            using var reader = RecordingReader.Open(path);
            var store = new MetricStore(new MetricStoreOptions { MemoryBudgetBytes = StoreBudgetBytes, MaxEvents = MaxEvents });
            var progress = new Progress<double>(p => status.Show(string.Create(CultureInfo.InvariantCulture, $"reading {System.IO.Path.GetFileName(path)}: {p:P0}")));
            reader.LoadInto(store, progress, ct);
            status.Clear();
            SayOutOfRange(reader);

            long first = reader.FirstMs ?? 0;
            long last = reader.LastMs ?? first;
            return new RecordingLoader(path, reader.Facts, store, first, last);
        }
        catch (RecordingException ex)
        {
            status.Clear();
            Console.Error.WriteLine($"memlens: {ex.Message}");
            return null;
        }
    }

    /// <summary>One line on stderr when rows were skipped for an impossible time (the same for open, report, doctor and export).</summary>
    public static void SayOutOfRange(RecordingReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long n = reader.OutOfRangeRows;
        if (n > 0)
        {
            Console.Error.WriteLine($"memlens: {reader.Path}: skipped {n} row{(n == 1 ? "" : "s")} whose time lies outside years 1-9999 " +
                                    "(no recorder writes that: the file was altered or damaged).");
        }
    }

    /// <summary>The program the recording is of, for titles: its name (control characters escaped) and pid as recorded.</summary>
    public string Title()
    {
        string name = TerminalText.Sanitize(Facts.TryGetValue("target.name", out var n) ? n : System.IO.Path.GetFileNameWithoutExtension(Path));
        return Facts.TryGetValue("target.pid", out var pid) && pid != "0" ? $"{name} (pid {pid}, recorded)" : $"{name} (recorded)";
    }

    /// <summary>A monitor over the loaded store for the dashboard or the report: no sources, not live, the recorded facts.</summary>
    public MemLensMonitor Monitor()
    {
        Facts.TryGetValue("target.runtime", out var runtime);
        int.TryParse(Facts.TryGetValue("target.pid", out var p) ? p : "0", NumberStyles.Integer, CultureInfo.InvariantCulture, out int pid);
        var target = new MemLensTarget(pid, Facts.TryGetValue("target.name", out var name) ? name : "recording", runtime ?? "native", InProcess: false);
        return new MemLensMonitor(Store, [], target, new MemLensOptions { Title = Title(), HistoryBudgetBytes = StoreBudgetBytes, MaxEvents = MaxEvents })
        {
            Facts = Facts,
            Live = false,
        };
    }
}
