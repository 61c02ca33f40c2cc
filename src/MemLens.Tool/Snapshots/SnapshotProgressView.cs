using System.Globalization;
using MemLens.Formatting;
using MemLens.Snapshots;
using MemLens.Tool.Dashboard;

namespace MemLens.Tool.Snapshots;

/// <summary>
/// Shows a running snapshot on stderr: on a terminal one line rewritten in place with objects and bytes so far;
/// redirected, one plain line when the walk starts and one when it ends, never one per update.
/// </summary>
internal sealed class SnapshotProgressView(int pid) : IProgress<SnapshotProgress>
{
    private readonly StatusLine _line = new();
    private readonly bool _terminal = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");
    private readonly object _gate = new();
    private string? _lastPhase;
    private bool _finished;

    public void Report(SnapshotProgress value)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            string text = $"memlens: snapshot of {pid.ToString(CultureInfo.InvariantCulture)}: {value.Phase}" +
                (value.Objects > 0 ? $", {value.Objects.ToString("N0", CultureInfo.InvariantCulture)} objects, {ByteSize.Format(value.Bytes)}" : "") +
                $" ({Durations.Format(value.Elapsed)})";
            if (_terminal)
            {
                _line.Show(text);
            }
            else if (value.Phase != _lastPhase && value.Phase is "walking heap" or "done")
            {
                // Redirected: the walk's start and end only, so that a failure to attach stays one line.
                Console.Error.WriteLine(text);
            }

            _lastPhase = value.Phase;
        }
    }

    /// <summary>Clears the line before other output; later reports (from a thread still finishing) are ignored.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            _finished = true;
            _line.Clear();
        }
    }
}
