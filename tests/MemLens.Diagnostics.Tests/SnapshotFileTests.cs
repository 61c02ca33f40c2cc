using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MemLens.Snapshots;
using MemLens.Tests.Shared.Snapshots;
using Xunit;

namespace MemLens.Diagnostics.Tests;

public class SnapshotFileTests
{
    private static HeapSnapshot Sample(bool truncated = true) =>
        new(4242, "orders-api", 1_700_000_000_123, [new("System.Byte[]", 10, 40_960), new("Shop.Order", 3, 96), new("Naïve\"quoted\"\\name`1[[System.Int32]]", 1, 24)])
        {
            Id = "s1",
            Duration = TimeSpan.FromMilliseconds(1234.5),
            GcIndex = 17,
            RuntimeVersion = "10.0.12",
            Truncated = truncated,
            Note = truncated ? "stopped at the object limit" : null,
        };

    private static byte[] Bytes(HeapSnapshot s)
    {
        using var m = new MemoryStream();
        SnapshotFile.Write(m, s);
        return m.ToArray();
    }

    [Fact]
    public void Every_property_and_type_survives_a_round_trip_through_a_file()
    {
        var original = Sample();
        string path = Path.Combine(Path.GetTempPath(), $"memlens-test-{Guid.NewGuid():N}{SnapshotFile.Extension}");
        try
        {
            SnapshotFile.Write(path, original);
            var read = SnapshotFile.Read(path);

            Assert.Equal(original.Id, read.Id);
            Assert.Equal(original.ProcessId, read.ProcessId);
            Assert.Equal(original.ProcessName, read.ProcessName);
            Assert.Equal(original.TakenAtMs, read.TakenAtMs);
            Assert.Equal(original.Duration, read.Duration);
            Assert.Equal(original.GcIndex, read.GcIndex);
            Assert.Equal(original.RuntimeVersion, read.RuntimeVersion);
            Assert.Equal(original.Truncated, read.Truncated);
            Assert.Equal(original.Note, read.Note);
            Assert.Equal(original.Types, read.Types);
            Assert.Equal(original.TotalObjects, read.TotalObjects);
            Assert.Equal(original.TotalBytes, read.TotalBytes);
            Assert.False(File.Exists(path + ".tmp-" + Environment.ProcessId), "the temporary file is renamed, not left behind");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Events_lost_survive_a_round_trip_and_make_the_snapshot_incomplete()
    {
        var lossy = new HeapSnapshot(1, "app", 1_700_000_000_000, [new("Node", 5, 160)]) { EventsLost = 2767, Truncated = true, Note = "incomplete: the runtime dropped 2,767 events" };
        var read = SnapshotFile.Parse(Bytes(lossy), "lossy.json");
        Assert.Equal(2767, read.EventsLost);
        Assert.True(read.Incomplete);

        // A file written before the field existed reads as 0 lost; one that says events were lost but not truncated
        // is still incomplete.
        string old = Encoding.UTF8.GetString(Bytes(Sample(truncated: false))).Replace("\"events_lost\": 0,", "", StringComparison.Ordinal);
        Assert.DoesNotContain("events_lost", old, StringComparison.Ordinal);
        Assert.False(SnapshotFile.Parse(Encoding.UTF8.GetBytes(old), "old.json").Incomplete);
        string lostOnly = Encoding.UTF8.GetString(Bytes(Sample(truncated: false))).Replace("\"events_lost\": 0", "\"events_lost\": 3", StringComparison.Ordinal);
        Assert.True(SnapshotFile.Parse(Encoding.UTF8.GetBytes(lostOnly), "lost.json").Incomplete);
    }

    [Fact]
    public void Scan_streams_the_entries_in_file_order_with_the_totals_after_the_list_and_unknown_fields_skipped()
    {
        string path = Path.Combine(Path.GetTempPath(), $"memlens-test-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, """
                {"types": [{"name": "B", "extra": {"x": [1, 2]}, "count": 2, "bytes": 48}, {"bytes": 24, "count": 1, "name": "A"}],
                 "future": [{"a": 1}], "format": "memlens-heap-snapshot", "version": 1, "process_id": 7, "process_name": "p",
                 "taken_at_ms": 5, "total_objects": 3, "total_bytes": 72, "events_lost": 4}
                """);
            var seen = new List<TypeStat>();
            var header = SnapshotFile.Scan(path, (n, c, b) => seen.Add(new TypeStat(n, c, b)));
            Assert.Equal([new TypeStat("B", 2, 48), new TypeStat("A", 1, 24)], seen);
            Assert.Equal(3, header.TotalObjects);
            Assert.Equal(2, header.TypeCount);
            Assert.Equal(4, header.EventsLost);
            Assert.True(header.Incomplete);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"types\": [{\"name\": \"A\", \"count\": 1, \"bytes\": 8}")] // cut off mid-file
    [InlineData("{\"types\": [{\"name\": \"A\", \"count\": 99999999999999999999999, \"bytes\": 8}]}")] // overflowing count
    [InlineData("{\"types\": [{\"name\": \"A\", \"count\": -1, \"bytes\": 8}]}")]
    [InlineData("{\"types\": [{\"name\": 42, \"count\": 1, \"bytes\": 8}]}")]
    [InlineData("{\"types\": {}}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"format\": \"something-else\", \"version\": 1, \"types\": []}")]
    [InlineData("{\"format\": \"memlens-heap-snapshot\", \"version\": 99, \"types\": []}")]
    [InlineData("{\"types\": [], \"retention\": {\"nodes\": [{\"parent\": 0, \"kind\": \"root\", \"label\": \"\u001b[31m\", \"count\": 1, \"bytes\": 0, \"retained_bytes\": 0}]}}")]
    [InlineData("\u001b[31m not json at all")]
    public void Scan_of_a_damaged_file_fails_in_one_line_naming_the_file(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"memlens-test-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, content);
            var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Scan(path, (_, _, _) => { }));
            Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
            Assert.DoesNotContain('\u001b', ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_directory_is_named_as_one()
    {
        string dir = Directory.CreateTempSubdirectory("memlens-test-").FullName;
        try
        {
            var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Read(dir));
            Assert.Equal($"{dir}: is a directory, not a snapshot file", ex.Message);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void Null_runtime_version_and_note_round_trip_as_null()
    {
        var original = new HeapSnapshot(1, "a", 0, []) { Truncated = false };
        var read = SnapshotFile.Parse(Bytes(original), "x");
        Assert.Null(read.RuntimeVersion);
        Assert.Null(read.Note);
        Assert.Empty(read.Types);
    }

    [Fact]
    public void The_file_names_its_format_and_version()
    {
        string json = Encoding.UTF8.GetString(Bytes(Sample()));
        Assert.Contains("\"format\": \"memlens-heap-snapshot\"", json, StringComparison.Ordinal);
        Assert.Contains("\"version\": 1", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "invalid or truncated JSON")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("{\"format\":\"something-else\",\"version\":1}", "not a MemLens snapshot")]
    [InlineData("{\"format\":\"memlens-heap-snapshot\"}", "\"version\" is missing")]
    [InlineData("{\"format\":\"memlens-heap-snapshot\",\"version\":3}", "snapshot format version 3 is newer than this MemLens reads (2); update MemLens")]
    [InlineData("{\"format\":\"memlens-heap-snapshot\",\"version\":1,\"process_id\":1,\"process_name\":\"a\",\"taken_at_ms\":0}", "\"types\" is missing")]
    [InlineData("{\"format\":\"memlens-heap-snapshot\",\"version\":1,\"process_id\":1,\"process_name\":\"a\",\"taken_at_ms\":0,\"types\":[{\"name\":\"T\",\"count\":-1,\"bytes\":1}]}", "\"count\" is out of range")]
    [InlineData("{\"format\":\"memlens-heap-snapshot\",\"version\":1,\"process_id\":1,\"process_name\":\"a\",\"taken_at_ms\":0,\"types\":[{\"name\":\"T\",\"count\":\"1\",\"bytes\":1}]}", "\"count\" is missing or not an integer")]
    [InlineData("{\"format\":\"memlens-heap-snapshot\",\"version\":1,\"process_id\":1,\"process_name\":\"a\",\"taken_at_ms\":0,\"total_bytes\":5,\"types\":[{\"name\":\"T\",\"count\":1,\"bytes\":1}]}", "\"total_bytes\" does not match")]
    [InlineData("{\"format\":\"memlens-heap-snapshot\",\"version\":1,\"process_id\":1,\"process_name\":\"a\",\"taken_at_ms\":0,\"truncated\":1,\"types\":[]}", "\"truncated\" is not true or false")]
    public void Bad_content_gives_one_line_naming_the_file_and_the_problem(string content, string expected)
    {
        var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Parse(Encoding.UTF8.GetBytes(content), "a.json"));
        Assert.StartsWith("a.json: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_file_cut_anywhere_is_rejected_with_the_documented_exception()
    {
        var bytes = Bytes(Sample());
        for (int length = 0; length < bytes.Length - 2; length += 7)
        {
            var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Parse(bytes.AsMemory(0, length), "cut.json"));
            Assert.DoesNotContain('\n', ex.Message);
        }
    }

    [Fact]
    public void A_missing_file_is_one_line()
    {
        var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Read("/nonexistent/dir/a.json"));
        Assert.Equal("/nonexistent/dir/a.json: no such file", ex.Message);
    }

    [Fact]
    public void Input_larger_than_the_limit_is_refused_without_reading_it_all()
    {
        using var huge = new EndlessStream();
        var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Read(huge, "huge.json"));
        Assert.Contains("larger than 256 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arbitrary_bytes_never_crash_the_reader_except_with_SnapshotFileException()
    {
        var valid = Bytes(RetentionSnapshots.EventLeak(sessions: 3, cached: 2));
        // Random bytes, and valid files with random bytes overwritten (which reach the field checks).
        var randomBytes = ArbMap.Default.GeneratorFor<byte[]>();
        var mutated = from edits in Gen.ListOf(Gen.Zip(Gen.Choose(0, valid.Length - 1), Gen.Choose(0, 255)))
                      select Mutate(valid, edits);
        Prop.ForAll(Gen.OneOf(randomBytes, mutated).ToArbitrary(), bytes =>
        {
            try
            {
                SnapshotFile.Parse(bytes, "fuzz.json");
            }
            catch (SnapshotFileException)
            {
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    [Fact]
    public void Retention_survives_a_round_trip_as_version_2_and_a_histogram_only_snapshot_stays_version_1()
    {
        var original = RetentionSnapshots.EventLeak(sessions: 5, cached: 3);
        var r0 = original.Retention!;
        Assert.True(r0.UnrootedObjects > 0); // the constructed heap has an unrooted Byte[]
        byte[] bytes = Bytes(original);
        Assert.Contains("\"version\": 2", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);

        var read = SnapshotFile.Parse(bytes, "leak.json");
        var r1 = Assert.IsType<HeapRetention>(read.Retention);
        Assert.Equal(r0.Nodes, r1.Nodes);
        Assert.Equal(r0.RetainedBytesByType.OrderBy(p => p.Key, StringComparer.Ordinal), r1.RetainedBytesByType.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal((r0.OmittedNodes, r0.OmittedObjects, r0.OmittedBytes, r0.UnrootedObjects, r0.UnrootedBytes), (r1.OmittedNodes, r1.OmittedObjects, r1.OmittedBytes, r1.UnrootedObjects, r1.UnrootedBytes));
        Assert.Equal(original.Types, read.Types);
        Assert.Equal("static Hub.Changed → System.EventHandler → System.Object[]", r1.MainHolder(RetentionSnapshots.SessionType));

        Assert.Contains("\"version\": 1", Encoding.UTF8.GetString(Bytes(Sample())), StringComparison.Ordinal);
        Assert.Null(SnapshotFile.Parse(Bytes(Sample()), "old.json").Retention);
    }

    [Fact]
    public void Omitted_paths_are_counted_in_the_file_and_read_back()
    {
        var original = RetentionSnapshots.EventLeak(sessions: 4, cached: 2, maxNodes: 3);
        Assert.True(original.Retention!.OmittedNodes > 0);
        var read = SnapshotFile.Parse(Bytes(original), "small.json").Retention!;
        Assert.Equal(original.Retention.OmittedNodes, read.OmittedNodes);
        Assert.Equal(original.Retention.OmittedObjects, read.OmittedObjects);
        Assert.Equal(original.Retention.OmittedBytes, read.OmittedBytes);
        Assert.Equal(original.Retention.Nodes.Count, read.Nodes.Count);
    }

    [Fact]
    public void Scan_gives_each_type_its_retained_bytes_and_the_tree_in_the_header()
    {
        var original = RetentionSnapshots.EventLeak(sessions: 2, cached: 1);
        string path = Path.Combine(Path.GetTempPath(), $"memlens-test-{Guid.NewGuid():N}.json");
        try
        {
            SnapshotFile.Write(path, original);
            var retained = new Dictionary<string, long?>();
            var header = SnapshotFile.Scan(path, (n, _, _, r) => retained[n] = r);
            Assert.Equal(2 * (48 + 1024), retained[RetentionSnapshots.SessionType]);
            Assert.Equal(original.Retention!.Nodes, header.Retention!.Nodes);

            SnapshotFile.Write(path, Sample());
            var none = new List<long?>();
            Assert.Null(SnapshotFile.Scan(path, (_, _, _, r) => none.Add(r)).Retention);
            Assert.All(none, r => Assert.Null(r));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_version_2_file_without_retention_opens_with_none()
    {
        string json = Encoding.UTF8.GetString(Bytes(Sample())).Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal);
        Assert.Null(SnapshotFile.Parse(Encoding.UTF8.GetBytes(json), "v2.json").Retention);
        string nulled = json.Replace("\"types\":", "\"retention\": null, \"types\":", StringComparison.Ordinal);
        Assert.Null(SnapshotFile.Parse(Encoding.UTF8.GetBytes(nulled), "v2.json").Retention);
    }

    private const string HeaderV2 = "{\"format\":\"memlens-heap-snapshot\",\"version\":2,\"process_id\":1,\"process_name\":\"a\",\"taken_at_ms\":0,\"types\":[{\"name\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}],";
    private const string Root = "{\"parent\":-1,\"kind\":\"root\",\"label\":\"static A.B\",\"count\":1,\"bytes\":0,\"retained_bytes\":8}";

    [Theory]
    [InlineData("\"retention\":[]}", "\"retention\" is not an object")]
    [InlineData("\"retention\":{}}", "\"retention.nodes\" is missing or not an array")]
    [InlineData("\"retention\":{\"nodes\":{}}}", "\"retention.nodes\" is missing or not an array")]
    [InlineData("\"retention\":{\"nodes\":[]},\"retention\":{\"nodes\":[]}}", "\"retention\" appears twice")]
    [InlineData("\"retention\":{\"nodes\":[1]}}", "retention node 0: not an object")]
    [InlineData("\"retention\":{\"unrooted_objects\":-1,\"nodes\":[]}}", "\"retention.unrooted_objects\" is out of range (-1)")]
    [InlineData("\"retention\":{\"omitted_bytes\":99999999999999999999,\"nodes\":[]}}", "\"retention.omitted_bytes\" is missing or not an integer")]
    [InlineData("\"retention\":{\"omitted_nodes\":\"3\",\"nodes\":[]}}", "\"retention.omitted_nodes\" is missing or not an integer")]
    [InlineData("\"retention\":{\"nodes\":[{\"parent\":0,\"kind\":\"root\",\"label\":\"x\",\"count\":1,\"bytes\":0,\"retained_bytes\":0}]}}", "retention node 0: \"parent\" 0 is not -1 or an earlier node")]
    [InlineData("\"retention\":{\"nodes\":[" + Root + ",{\"parent\":1,\"kind\":\"type\",\"label\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}]}}", "retention node 1: \"parent\" 1 is not -1 or an earlier node")]
    [InlineData("\"retention\":{\"nodes\":[" + Root + ",{\"parent\":-2,\"kind\":\"type\",\"label\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}]}}", "retention node 1: \"parent\" -2 is not -1 or an earlier node")]
    [InlineData("\"retention\":{\"nodes\":[" + Root + ",{\"parent\":99999999999999999999,\"kind\":\"type\",\"label\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}]}}", "retention node 1: \"parent\" is missing or not an integer")]
    [InlineData("\"retention\":{\"nodes\":[" + Root + ",{\"parent\":0,\"kind\":\"field\",\"label\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}]}}", "retention node 1: \"kind\" is not \"root\" or \"type\"")]
    [InlineData("\"retention\":{\"nodes\":[" + Root + ",{\"parent\":0,\"kind\":\"root\",\"label\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}]}}", "retention node 1: a root has a parent")]
    [InlineData("\"retention\":{\"nodes\":[{\"parent\":-1,\"kind\":\"type\",\"label\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}]}}", "retention node 0: a type node has no parent")]
    [InlineData("\"retention\":{\"nodes\":[{\"parent\":-1,\"label\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}]}}", "retention node 0: \"kind\" is missing")]
    [InlineData("\"retention\":{\"nodes\":[{\"parent\":-1,\"kind\":\"root\",\"label\":7,\"count\":1,\"bytes\":8,\"retained_bytes\":8}]}}", "retention node 0: \"label\" is missing or not a string")]
    [InlineData("\"retention\":{\"nodes\":[{\"parent\":-1,\"kind\":\"root\",\"label\":\"x\",\"count\":-5,\"bytes\":0,\"retained_bytes\":8}]}}", "retention node 0: \"count\" is out of range (-5)")]
    [InlineData("\"retention\":{\"nodes\":[{\"parent\":-1,\"kind\":\"root\",\"label\":\"x\",\"count\":1,\"bytes\":0,\"retained_bytes\":18446744073709551616}]}}", "retention node 0: \"retained_bytes\" is missing or not an integer")]
    [InlineData("\"retention\":{\"nodes\":[{\"parent\":-1,\"kind\":\"root\",\"label\":\"x\",\"count\":1,\"bytes\":0}]}}", "retention node 0: \"retained_bytes\" is missing or not an integer")]
    [InlineData("\"retention\":{\"nodes\":[{\"parent\":-1,\"kind\":\"root\",\"label\":\"x\",\"count\":1,\"bytes\":[0],\"retained_bytes\":0}]}}", "retention node 0: \"bytes\" is not a number")]
    public void A_damaged_retention_section_gives_one_line_naming_the_file_and_the_node(string retention, string expected)
    {
        var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Parse(Encoding.UTF8.GetBytes(HeaderV2 + retention), "r.json"));
        Assert.Equal("r.json: corrupt MemLens snapshot: " + expected, ex.Message);
    }

    [Fact]
    public void A_type_entry_with_a_negative_or_non_integer_retained_bytes_is_refused()
    {
        string json = HeaderV2.Replace("\"retained_bytes\":8", "\"retained_bytes\":-8", StringComparison.Ordinal) + "\"retention\":{\"nodes\":[]}}";
        var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Parse(Encoding.UTF8.GetBytes(json), "t.json"));
        Assert.Equal("t.json: corrupt MemLens snapshot: \"retained_bytes\" is out of range (-8)", ex.Message);
        json = HeaderV2.Replace("\"retained_bytes\":8", "\"retained_bytes\":\"8\"", StringComparison.Ordinal) + "\"retention\":{\"nodes\":[]}}";
        ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Parse(Encoding.UTF8.GetBytes(json), "t.json"));
        Assert.Equal("t.json: corrupt MemLens snapshot: \"retained_bytes\" is missing or not an integer", ex.Message);
    }

    [Fact]
    public void A_label_longer_than_the_limit_is_refused_and_one_at_the_limit_is_read()
    {
        string Node(int length) => "\"retention\":{\"nodes\":[{\"parent\":-1,\"kind\":\"root\",\"label\":\"" + new string('a', length) + "\",\"count\":1,\"bytes\":0,\"retained_bytes\":0}]}}";
        Assert.Equal(SnapshotFile.MaxLabelLength, SnapshotFile.Parse(Encoding.UTF8.GetBytes(HeaderV2 + Node(SnapshotFile.MaxLabelLength)), "ok.json").Retention!.Nodes[0].Label.Length);
        var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Parse(Encoding.UTF8.GetBytes(HeaderV2 + Node(SnapshotFile.MaxLabelLength + 1)), "long.json"));
        Assert.Equal("long.json: corrupt MemLens snapshot: retention node 0: \"label\" is longer than 65,536 characters", ex.Message);
    }

    [Fact]
    public void A_retention_tree_over_the_node_limit_is_refused_after_reading_no_more_than_the_limit()
    {
        // One root and MaxRetentionNodes type nodes under it: one node too many. Written to a file in pieces (~70 MB).
        string path = Path.Combine(Path.GetTempPath(), $"memlens-test-{Guid.NewGuid():N}.json");
        try
        {
            using (var w = new StreamWriter(path, false, new UTF8Encoding(false)))
            {
                w.Write(HeaderV2);
                w.Write("\"retention\":{\"nodes\":[");
                w.Write(Root);
                for (int i = 0; i < SnapshotFile.MaxRetentionNodes; i++)
                {
                    w.Write(",{\"parent\":0,\"kind\":\"type\",\"label\":\"T\",\"count\":1,\"bytes\":8,\"retained_bytes\":8}");
                }

                w.Write("]}}");
            }

            var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Scan(path, (_, _, _) => { }));
            Assert.Equal($"{path}: corrupt MemLens snapshot: the retention tree has more than 1,000,000 nodes", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_saved_with_a_utf8_byte_order_mark_is_read()
    {
        byte[] withBom = [0xEF, 0xBB, 0xBF, .. Bytes(RetentionSnapshots.EventLeak(sessions: 2, cached: 1))];
        Assert.NotNull(SnapshotFile.Parse(withBom, "bom.json").Retention);
        var ex = Assert.Throws<SnapshotFileException>(() => SnapshotFile.Parse(new byte[] { 0xEF, 0xBB }, "short.json"));
        Assert.StartsWith("short.json: not a MemLens snapshot: invalid or truncated JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_in_a_label_are_kept_as_data_for_the_outputs_to_sanitize()
    {
        string json = HeaderV2 + "\"retention\":{\"nodes\":[{\"parent\":-1,\"kind\":\"root\",\"label\":\"static \\u001b[31mA.B\\n\",\"count\":1,\"bytes\":0,\"retained_bytes\":8}]}}";
        Assert.Equal("static \u001b[31mA.B\n", SnapshotFile.Parse(Encoding.UTF8.GetBytes(json), "c.json").Retention!.Nodes[0].Label);
    }

    private static byte[] Mutate(byte[] valid, IEnumerable<(int At, int Value)> edits)
    {
        var copy = (byte[])valid.Clone();
        foreach (var (at, value) in edits)
        {
            copy[at] = (byte)value;
        }

        return copy;
    }

    /// <summary>A stream that never ends (seekless, like a pipe), to check the size bound.</summary>
    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)' ', offset, count);
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
