using System.Globalization;
using MemLens.Diagnostics.Snapshots;
using MemLens.Snapshots;
using MemLens.Tests.Shared.Snapshots;
using Xunit;
using Xunit.Abstractions;

namespace MemLens.Diagnostics.Tests.Snapshots;

/// <summary>
/// An independent reference on a real process: the retained bytes and root names a MemLens snapshot reports for known
/// structures (a static dictionary, a static event, a ConditionalWeakTable, GC handles, a thread's local) against
/// ClrMD walking a core dump of the same process written by the runtime's <c>createdump</c> right after the snapshot,
/// with retained bytes computed by brute-force reachability (<see cref="DumpReference"/>).
/// </summary>
public sealed class DumpReferenceTests(ITestOutputHelper output)
{
    private const int Count = 300;
    private const int Payload = 4000;

    [Fact]
    public async Task Retained_bytes_and_root_names_match_ClrMD_on_a_core_dump_taken_right_after()
    {
        await using var target = await RetentionTargetProcess.StartAsync(Count, Payload);
        var result = await new HeapSnapshotter().TakeAsync(target.Pid, null, CancellationToken.None);
        var retention = result.Snapshot.Retention;
        Assert.NotNull(retention);
        Assert.False(result.Snapshot.Incomplete, result.Snapshot.Note);

        string dump = Path.Combine(Path.GetTempPath(), $"memlens-reference-{Guid.NewGuid():N}.dmp");
        try
        {
            await DumpReference.WriteDumpAsync(target.Pid, dump);
            var reference = DumpReference.Load(dump);
            output.WriteLine($"dump: {reference.ObjectCount:N0} objects, {reference.Reachable():N0} bytes reachable; snapshot: {result.Snapshot.TotalObjects:N0} objects");

            // Root names: every static field MemLens names as Type.Field (read from the process, not the walk's
            // "static Field: ValueType" form) is a static field of the dump with a value, and the app's are named.
            var named = retention.Nodes.Where(n => n.Kind == RetentionNodeKind.Root && n.Label.StartsWith("static ", StringComparison.Ordinal) && !n.Label.Contains(": ", StringComparison.Ordinal))
                .Select(n => n.Label).ToHashSet(StringComparer.Ordinal);
            foreach (string label in named)
            {
                Assert.True(reference.Statics.ContainsKey(label), $"MemLens names {label}, which the dump has no value for");
            }

            foreach (string label in (string[])["static Hub.Changed", "static Catalog.Cache", "static Tags.Keys"])
            {
                Assert.Contains(label, named);
                long memlens = retention.Nodes.Single(n => n.Kind == RetentionNodeKind.Root && n.Label == label).RetainedBytes;
                long expected = reference.RetainedByStatic(label);
                output.WriteLine($"{label}: MemLens {memlens:N0}, dump {expected:N0}");
                AssertWithinOnePercent(label, expected, memlens);
            }

            // Per type, "retained by all instances": the instances together, none nested in another here.
            foreach (string type in (string[])["Session", "Entry", "Attached", "HandleHeld", "StackHeld", "ThreadHeld"])
            {
                var instances = reference.ObjectsOf(type).ToList();
                Assert.NotEmpty(instances);
                long memlens = retention.RetainedBytesByType.GetValueOrDefault(type);
                long expected = instances.Sum(i => reference.RetainedByObjects([i]));
                output.WriteLine($"{type} ×{instances.Count}: MemLens {memlens:N0}, dump {expected:N0}");
                AssertWithinOnePercent(type, expected, memlens);
            }

            // The pinned handle's byte[]: under a "pinned handle" root, at least the payload's size.
            Assert.Contains(Enumerable.Range(0, retention.Nodes.Count), i => retention.Nodes[i].Label == "System.Byte[]"
                && retention.Nodes[i].Parent >= 0 && retention.Nodes[retention.Nodes[i].Parent].Label == "pinned handle"
                && retention.Nodes[i].Bytes >= target.PayloadObject);
        }
        finally
        {
            File.Delete(dump);
        }
    }

    private static void AssertWithinOnePercent(string what, long expected, long actual)
    {
        Assert.True(expected > 0, $"{what}: the dump says it retains nothing");
        double error = Math.Abs(actual - expected) / (double)expected;
        Assert.True(error <= 0.01, string.Create(CultureInfo.InvariantCulture, $"{what}: MemLens {actual:N0} bytes, the dump {expected:N0} ({error:P2} apart)"));
    }
}
