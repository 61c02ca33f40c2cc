using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.Runtime;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Reads the static object fields of a live .NET process — each field's slot address, current value and
/// <c>static Type.Field</c> label — by attaching to it for a moment with ClrMD (reading its memory as ptrace
/// permits; the process is not suspended, see <see cref="Read"/>). The heap walk names only some framework statics; an app's <c>static event EventHandler Changed</c>
/// reaches the walk as an element of the runtime's pinned statics storage (an <c>Object[]</c>), so the slot address
/// read here is what lets the graph name it (<see cref="MemLens.Snapshots.Graph.HeapGraphBuilder.AddStaticSlot"/>).
/// </summary>
/// <remarks>
/// Read after the walk's GC, so the values are where the objects are after it. That matches the graph because the
/// walk reports addresses from after its GC compacts, measured (RetentionSnapshotTests.
/// The_walk_reports_addresses_after_its_gc_compacts): an object allocated among garbage after the target's last GC
/// moved during the snapshot (0x7f27bfd51720 → 0x7f27bd03ff68) and its static field, read here, still named a node of
/// the graph at its new address. What can still differ is the program writing a field between the walk and the
/// attach (it runs in between for a few ms): such a slot's value is no node, or not the one its holder references,
/// and it is skipped and counted (<see cref="MemLens.Snapshots.Graph.StaticSlotFolding"/>).
/// </remarks>
internal static class StaticFieldReader
{
    /// <summary>What was read, and what was not.</summary>
    /// <param name="Fields">Non-null static object fields: slot, value, label.</param>
    /// <param name="OverLimit">Fields left unread because the count or time limit was reached.</param>
    /// <param name="Unreadable">Fields whose slot or value ClrMD could not read.</param>
    /// <param name="Error">Why nothing could be read (one line), or null.</param>
    /// <param name="Elapsed">How long the process was attached.</param>
    public sealed record Result(List<(ulong Slot, ulong Value, string Label)> Fields, long OverLimit, long Unreadable, string? Error, TimeSpan Elapsed);

    public static Result Read(int processId, int maxFields, TimeSpan timeLimit)
    {
        var fields = new List<(ulong, ulong, string)>();
        long overLimit = 0, unreadable = 0;
        var clock = Stopwatch.StartNew();
        if (processId == Environment.ProcessId)
        {
            return new Result(fields, 0, 0, "a process cannot attach to itself to read its static fields", clock.Elapsed);
        }

        try
        {
            // suspend: false — the fields are read from /proc/<pid>/mem while the process runs. With suspend: true
            // (ptrace-stopping every thread) the attach hung in about one snapshot of four in the tests, right after
            // the walk's EventPipe session ended, which would also leave the target stopped while it hangs. A field the
            // program writes during the read is caught like one written after the walk: its slot no longer matches
            // the graph, and it is skipped and counted.
            using var target = DataTarget.AttachToProcess(processId, suspend: false);
            if (target.ClrVersions.Length == 0)
            {
                return new Result(fields, 0, 0, "no .NET runtime found in the process", clock.Elapsed);
            }

            var clr = target.ClrVersions[0];
            // The DAC of the target's own runtime, next to its libcoreclr.so: ClrMD's default lookup (symbol server,
            // its own search) fails offline, and a DAC from another runtime version would misread it.
            string dac = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName) ?? "", "libmscordaccore.so");
            if (!File.Exists(dac))
            {
                return new Result(fields, 0, 0, $"the runtime's debugging library {dac} is missing", clock.Elapsed);
            }

            // ignoreMismatch: attached on Linux, ClrMD reads the runtime's version as 0.0 and would refuse every DAC;
            // this one is the runtime's own, from its folder.
            using var runtime = clr.CreateRuntime(dac, ignoreMismatch: true);
            var seenTypes = new HashSet<ulong>();
            foreach (var domain in runtime.AppDomains)
            {
                foreach (var module in domain.Modules)
                {
                    foreach (var type in module.EnumerateTypesWithStaticFields())
                    {
                        if (!seenTypes.Add(type.MethodTable))
                        {
                            continue;
                        }

                        foreach (var field in type.StaticFields)
                        {
                            if (!field.IsObjectReference)
                            {
                                continue;
                            }

                            if (fields.Count >= maxFields || clock.Elapsed >= timeLimit)
                            {
                                overLimit++;
                                continue;
                            }

                            try
                            {
                                if (!field.IsInitialized(domain))
                                {
                                    continue;
                                }

                                ulong slot = field.GetAddress(domain);
                                ulong value = field.ReadObject(domain).Address;
                                if (slot != 0 && value != 0)
                                {
                                    fields.Add((slot, value, string.Create(CultureInfo.InvariantCulture, $"static {type.Name}.{field.Name}")));
                                }
                            }
                            catch (Exception ex) when (ex is not OutOfMemoryException)
                            {
                                unreadable++;
                            }
                        }
                    }
                }
            }

            return new Result(fields, overLimit, unreadable, null, clock.Elapsed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Attaching needs ptrace: refused under yama ptrace_scope 1 for a non-child, by a container's seccomp
            // profile, or for the process itself. The caller keeps its graph and says why fields are unnamed.
            return new Result(fields, overLimit, unreadable, TargetCheck.OneLine(ex.Message), clock.Elapsed);
        }
    }
}
