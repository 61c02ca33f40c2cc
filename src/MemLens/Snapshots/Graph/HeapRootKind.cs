namespace MemLens.Snapshots.Graph;

/// <summary>What keeps a heap root alive, as the runtime's heap walk names it.</summary>
public enum HeapRootKind : byte
{
    /// <summary>Anything the walk reports that fits none of the kinds below.</summary>
    Other = 0,

    /// <summary>A static field (the name is <c>Type.Field</c>).</summary>
    StaticField = 1,

    /// <summary>A thread's stack slot or a thread-static field.</summary>
    ThreadLocal = 2,

    /// <summary>A strong GC handle (GCHandle.Alloc, ref-counted handles).</summary>
    StrongHandle = 3,

    /// <summary>A pinned GC handle or a pinned-object-heap holder.</summary>
    PinnedHandle = 4,

    /// <summary>An object waiting in the finalizer queue.</summary>
    FinalizerQueue = 5,

    /// <summary>The secondary of a dependent handle (ConditionalWeakTable).</summary>
    DependentHandle = 6,
}
