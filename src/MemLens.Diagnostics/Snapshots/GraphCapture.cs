using System.Globalization;
using MemLens.Snapshots;
using MemLens.Snapshots.Graph;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace MemLens.Diagnostics.Snapshots;

/// <summary>
/// Keeps the object graph of one heap walk (objects, references, roots) in a <see cref="HeapGraphBuilder"/> while the
/// events arrive, with the tables that name its types and roots, and analyses it at the end into a
/// <see cref="HeapRetention"/>.
/// </summary>
/// <remarks>
/// <para>Root labels, as users read them at the start of a retention path:</para>
/// <list type="table">
/// <item><term><c>static T.F</c></term><description>a static field read from the process (<see cref="StaticFieldReader"/>)</description></item>
/// <item><term><c>static F: V</c> / <c>thread-static F: V</c></term><description>a static (thread-static) field only the walk names: field F, value of type V (the walk does not say the declaring type)</description></item>
/// <item><term><c>stack</c></term><description>a local variable or argument on some thread's stack</description></item>
/// <item><term><c>finalizer queue</c></term><description>an object waiting for (or ready for) its finalizer</description></item>
/// <item><term><c>strong handle</c> / <c>pinned handle</c> / <c>ref-counted handle</c> / <c>sized-ref handle</c></term><description>a GC handle of that kind (GCHandle.Alloc, the runtime's own pinned statics storage, COM)</description></item>
/// <item><term><c>other root</c></term><description>any other kind the walk reports</description></item>
/// </list>
/// <para>
/// Weak handles keep nothing alive: they are skipped and counted (<see cref="WeakHandlesSkipped"/>). A
/// ConditionalWeakTable element (a dependent handle) keeps its value alive only while its key is alive, so it is
/// not a root: it becomes a reference key → value, and the value is retained by whatever retains the key.
/// </para>
/// </remarks>
internal sealed class GraphCapture
{
    private const int StackName = 0;
    private const int FinalizerName = 1;
    private const int StrongName = 2;
    private const int PinnedName = 3;
    private const int RefCountedName = 4;
    private const int SizedRefName = 5;
    private const int OtherName = 6;

    // Root names: fixed labels first, then static fields (type id + field, named at the end when the types are known).
    private readonly List<(ulong TypeId, string Text)> _names =
    [
        (0, "stack"), (0, "finalizer queue"), (0, "strong handle"), (0, "pinned handle"),
        (0, "ref-counted handle"), (0, "sized-ref handle"), (0, "other root"),
    ];

    private readonly Dictionary<(ulong TypeId, string Field, bool Thread), int> _staticNames = [];
    private readonly Dictionary<string, int> _namedStatics = new(StringComparer.Ordinal);
    private readonly HashSet<ulong> _slots = [];
    private readonly HashSet<(ulong Address, int Name)> _roots = [];
    private readonly List<(ulong Slot, ulong Value, ulong TypeId, string Field, bool Thread)> _walkStatics = [];
    private readonly Dictionary<ulong, int> _typeIndex = [];
    private readonly List<ulong> _typeIds = [];
    private readonly int _maxRoots;
    private HeapGraphBuilder? _builder;

    public GraphCapture(HeapSnapshotOptions options)
    {
        _maxRoots = options.MaxGraphRoots;
        _builder = new HeapGraphBuilder(options.MaxGraphNodes, options.MaxGraphEdges, options.MaxGraphRoots);
    }

    /// <summary>Weak handles seen (they retain nothing, so they are not roots).</summary>
    public long WeakHandlesSkipped { get; private set; }

    /// <summary>Static slots the walk itself named (GCBulkRootStaticVar).</summary>
    public long WalkStatics { get; private set; }

    /// <summary>Static names refused because the name table reached its limit.</summary>
    public long NamesOverLimit { get; private set; }

    public void AddNode(ulong address, long size, ulong typeId, int edgeCount) =>
        _builder!.AddNode(address, size, TypeIndex(typeId), edgeCount);

    public void AddEdgeTarget(ulong target) => _builder!.AddEdgeTarget(target);

    public void AddRoot(ulong address, GCRootKind kind, GCRootFlags flags)
    {
        if ((flags & GCRootFlags.WeakRef) != 0)
        {
            WeakHandlesSkipped++;
            return;
        }

        (HeapRootKind rootKind, int name) = kind switch
        {
            GCRootKind.Stack => (HeapRootKind.ThreadLocal, StackName),
            GCRootKind.Finalizer => (HeapRootKind.FinalizerQueue, FinalizerName),
            GCRootKind.Handle when (flags & GCRootFlags.Pinning) != 0 => (HeapRootKind.PinnedHandle, PinnedName),
            GCRootKind.Handle when (flags & GCRootFlags.RefCounted) != 0 => (HeapRootKind.StrongHandle, RefCountedName),
            GCRootKind.Handle => (HeapRootKind.StrongHandle, StrongName),
            GCRootKind.SizedRef => (HeapRootKind.StrongHandle, SizedRefName),
            _ => (HeapRootKind.Other, OtherName),
        };
        // One object reported twice under the same label (a thread's stack reports a local from several slots or
        // frames) is one root: two entries would make "several roots" hold it and neither retain it.
        if (_roots.Count < _maxRoots && !_roots.Add((address, name)))
        {
            return;
        }

        _builder!.AddRoot(address, rootKind, name);
    }

    /// <summary>A ConditionalWeakTable element: its value lives while its key does, so it is a reference key → value, not a root.</summary>
    public void AddDependentHandle(ulong key, ulong value)
    {
        if (key != 0 && value != 0)
        {
            _builder!.AddEdge(key, value);
        }
    }

    /// <summary>
    /// A static the walk names (GCBulkRootStaticVar). Kept aside until <see cref="Analyse"/>: a field also read from
    /// the process (<see cref="AddNamedStatic"/>, same slot) takes that better label. The walk's type id is the
    /// type of the field's value (measured: <c>Hub.Changed</c> came as type <c>System.EventHandler</c>), not the
    /// declaring type, so the walk's label is <c>static Field: ValueType</c>.
    /// </summary>
    public void AddWalkStatic(ulong slot, ulong value, ulong typeId, string field, bool threadStatic)
    {
        if (value == 0)
        {
            return;
        }

        WalkStatics++;
        if (_walkStatics.Count >= _maxRoots)
        {
            NamesOverLimit++;
            return;
        }

        _walkStatics.Add((slot, value, typeId, field, threadStatic));
    }

    /// <summary>A static field read from the process after the walk (<see cref="StaticFieldReader"/>), labelled as given.</summary>
    public void AddNamedStatic(ulong slot, ulong value, string label)
    {
        if (value == 0 || !_slots.Add(slot))
        {
            return;
        }

        if (!_namedStatics.TryGetValue(label, out int name))
        {
            if (_names.Count >= _maxRoots)
            {
                NamesOverLimit++;
                return;
            }

            name = _names.Count;
            _names.Add((0, label));
            _namedStatics.Add(label, name);
        }

        _builder!.AddStaticSlot(slot, value, name);
    }

    /// <summary>
    /// Builds the graph, computes dominators and retained sizes and groups them into the retention tree; the graph
    /// is returned only for its figures (the caller drops it). <paramref name="typeName"/> names a type id.
    /// </summary>
    public (HeapRetention Retention, HeapGraph Graph) Analyse(Func<ulong, string> typeName, int maxTreeNodes)
    {
        foreach (var (slot, value, typeId, field, threadStatic) in _walkStatics)
        {
            if (slot != 0 && _slots.Contains(slot))
            {
                continue; // read from the process too, with its declaring type
            }

            var key = (typeId, field, threadStatic);
            if (!_staticNames.TryGetValue(key, out int name))
            {
                if (_names.Count >= _maxRoots)
                {
                    NamesOverLimit++;
                    continue;
                }

                name = _names.Count;
                _names.Add((typeId, (threadStatic ? "thread-static " : "static ") + field + "\u0001"));
                _staticNames.Add(key, name);
            }

            _builder!.AddStaticSlot(slot, value, name, threadStatic ? HeapRootKind.ThreadLocal : HeapRootKind.StaticField);
        }

        _walkStatics.Clear();
        var graph = _builder!.Build();
        _builder = null;
        graph.ReleaseAddresses(); // nothing below looks a node up by address
        var typeNames = new string[_typeIds.Count];
        for (int i = 0; i < typeNames.Length; i++)
        {
            typeNames[i] = typeName(_typeIds[i]);
        }

        var labels = new string?[_names.Count];
        var tree = DominatorTree.Compute(graph);
        var retained = RetainedSizes.Compute(tree);
        var retention = RetentionTreeBuilder.Build(
            retained,
            t => typeNames[t],
            r =>
            {
                int name = graph.RootNames[r];
                return name < 0 ? "other root" : labels[name] ??= Label(_names[name], typeName);
            },
            maxTreeNodes);
        return (retention, graph);
    }

    private static string Label((ulong TypeId, string Text) name, Func<ulong, string> typeName)
    {
        int cut = name.Text.IndexOf('\u0001', StringComparison.Ordinal);
        return cut < 0 ? name.Text : string.Create(CultureInfo.InvariantCulture, $"{name.Text[..cut]}: {typeName(name.TypeId)}");
    }

    private int TypeIndex(ulong typeId)
    {
        ref int index = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_typeIndex, typeId, out bool exists);
        if (!exists)
        {
            index = _typeIds.Count;
            _typeIds.Add(typeId);
        }

        return index;
    }
}
