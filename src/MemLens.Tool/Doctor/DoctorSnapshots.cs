using System.Globalization;
using MemLens.Actions;
using MemLens.Doctor;
using MemLens.Formatting;
using MemLens.Diagnostics.Snapshots;
using MemLens.Procfs;
using MemLens.Snapshots;
using MemLens.Tool.Commands;
using MemLens.Tool.Snapshots;

namespace MemLens.Tool.Doctor;

/// <summary>
/// <c>memlens doctor &lt;pid&gt; --snapshots</c>: a heap snapshot when the observation starts and, when the doctor finds
/// a managed leak, a second one at the end; their diff names what grew and who holds it in the finding's evidence.
/// Both files are saved (the user may want <c>memlens diff</c> / <c>memlens paths</c> on them) and named on stderr.
/// </summary>
/// <remarks>
/// The second snapshot is taken only for a managed-leak finding, since each one pauses the process for its walk; the
/// first has to be taken before knowing, at the start, so the two are as far apart as the observation.
/// </remarks>
internal sealed class DoctorSnapshots(int pid, string directory)
{
    /// <summary>How many growing types the evidence names.</summary>
    public const int TypesNamed = 3;

    private (HeapSnapshot Snapshot, string File)? _first;

    /// <summary>Why no snapshot is used, once one failed or cannot be taken; null while all is well.</summary>
    public string? Skipped { get; private set; }

    /// <summary>Takes the first snapshot; on failure says why on stderr and leaves the doctor to judge without them.</summary>
    public async Task TakeFirstAsync(CancellationToken ct)
    {
        _first = await TakeAsync(1, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// When <paramref name="report"/> has a managed-leak finding and the first snapshot was taken: takes the second and
    /// returns the report with the growth's holder in that finding's evidence and next steps. Otherwise the report as is.
    /// </summary>
    public async Task<DoctorReport> AnnotateAsync(DoctorReport report, CancellationToken ct)
    {
        int index = -1;
        for (int i = 0; i < report.Findings.Count; i++)
        {
            if (report.Findings[i].Id == FindingIds.ManagedLeak)
            {
                index = i;
            }
        }

        if (_first is not { } first)
        {
            return report;
        }

        if (index < 0)
        {
            await Console.Error.WriteLineAsync($"memlens: no managed leak found, so no second snapshot was taken; the first is {first.File}").ConfigureAwait(false);
            return report;
        }

        if (await TakeAsync(2, ct).ConfigureAwait(false) is not { } second)
        {
            return report;
        }

        var finding = report.Findings[index];
        var (evidence, steps) = Explain(first, second);
        var findings = report.Findings.ToArray();
        // The rule's own "take two snapshots" step is done: dropped in favour of the commands on the files just saved.
        var kept = finding.NextSteps.Where(step => !step.Contains("memlens snapshot ", StringComparison.Ordinal));
        findings[index] = finding with { Evidence = [.. finding.Evidence, .. evidence], NextSteps = [.. steps, .. kept] };
        return report with { Findings = findings };
    }

    /// <summary>The evidence lines and next steps from two snapshots of the leaking process.</summary>
    internal static (List<string> Evidence, List<string> NextSteps) Explain((HeapSnapshot Snapshot, string File) first, (HeapSnapshot Snapshot, string File) second)
    {
        var a = first.Snapshot;
        var b = second.Snapshot;
        var diff = SnapshotDiff.Compute(a, b);
        string apart = Durations.Format(TimeSpan.FromMilliseconds(Math.Max(0, b.TakenAtMs - a.TakenAtMs)));
        var evidence = new List<string>
        {
            $"Heap snapshots {apart} apart: the live heap went from {ByteSize.Format(a.TotalBytes)} to {ByteSize.Format(b.TotalBytes)} " +
            $"({Signed(diff.BytesDelta)}, {SignedCount(diff.CountDelta)} objects).",
        };

        string? topType = null;
        foreach (var row in diff.Rows.Where(r => r.BytesDelta > 0).Take(TypesNamed))
        {
            topType ??= row.Name;
            string held = row.HeldBy is { } h ? $", held by {h.Path} ({Signed(h.BytesDelta)} of it there)" : "";
            evidence.Add($"{row.Name} grew {Signed(row.BytesDelta)} ({SignedCount(row.CountDelta)} objects){held}.");
        }

        if (b.Retention is null)
        {
            evidence.Add("The snapshots carry no references, so what holds these objects is not known (" + (b.Note ?? "histogram only") + ").");
        }
        else
        {
            var byRetained = SnapshotDiff.Compute(a, b, byRetained: true).Rows.FirstOrDefault(r => r.RetainedDelta > 0);
            if (byRetained.Name is not null && byRetained.Name != topType)
            {
                string held = byRetained.HeldBy is { } h ? $", held by {h.Path}" : "";
                evidence.Add($"What {byRetained.Name} objects keep alive grew most: {Signed(byRetained.RetainedDelta ?? 0)} retained{held}.");
            }
        }

        if (a.Incomplete || b.Incomplete)
        {
            evidence.Add("A snapshot is incomplete, so these figures are too low: " + (b.Incomplete ? b.Note : a.Note));
        }

        var steps = new List<string> { $"See every type's growth: memlens diff {Quote(first.File)} {Quote(second.File)}" };
        if (topType is not null && b.Retention is not null)
        {
            steps.Add($"See every path that holds {topType}: memlens paths {Quote(second.File)} {Quote(topType)}");
        }

        return (evidence, steps);
    }

    private async Task<(HeapSnapshot Snapshot, string File)?> TakeAsync(int number, CancellationToken ct)
    {
        if (Skipped is not null)
        {
            return null;
        }

        await Console.Error.WriteLineAsync($"memlens: heap snapshot {number.ToString(CultureInfo.InvariantCulture)} of PID {pid.ToString(CultureInfo.InvariantCulture)} " +
            "(the process pauses while its heap is walked)").ConfigureAwait(false);
        var view = new SnapshotProgressView(pid);
        HeapSnapshot snapshot;
        try
        {
            snapshot = (await new HeapSnapshotter().TakeAsync(pid, view, ct).ConfigureAwait(false)).Snapshot;
        }
        catch (OperationCanceledException)
        {
            view.Finish();
            Skipped = "cancelled";
            await Console.Error.WriteLineAsync($"memlens: heap snapshot {number.ToString(CultureInfo.InvariantCulture)} not taken: cancelled").ConfigureAwait(false);
            return null;
        }
        catch (TargetActionException ex)
        {
            view.Finish();
            Skipped = ex.Message;
            await Console.Error.WriteLineAsync(TerminalText.Sanitize($"memlens: no heap snapshots: {ex.Message}")).ConfigureAwait(false);
            return null;
        }
        finally
        {
            view.Finish();
        }

        var info = ProcessTable.Read(pid, new ProcessTableOptions { ReadPss = false, DetectRuntime = false });
        string file = Path.Combine(directory, SnapshotCommand.DefaultFileName(info, pid, snapshot.TakenAtMs));
        try
        {
            SnapshotFile.Write(file, snapshot);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Skipped = $"cannot write {file}: {ex.Message.ReplaceLineEndings(" ")}";
            await Console.Error.WriteLineAsync($"memlens: no heap snapshots: {Skipped}").ConfigureAwait(false);
            return null;
        }

        await Console.Error.WriteLineAsync(TerminalText.Sanitize($"memlens: saved heap snapshot {number.ToString(CultureInfo.InvariantCulture)} to {file}" +
            (snapshot.Incomplete ? $" (incomplete: {snapshot.Note})" : ""))).ConfigureAwait(false);
        return (snapshot, file);
    }

    private static string Signed(long bytes) => (bytes >= 0 ? "+" : "-") + ByteSize.Format(Math.Abs(bytes));

    private static string SignedCount(long count) => (count >= 0 ? "+" : "") + count.ToString("N0", CultureInfo.InvariantCulture);

    // Shell-safe enough for a copy-paste: single quotes unless the text is plain.
    private static string Quote(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':' or '+' or '=' or ',') ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
