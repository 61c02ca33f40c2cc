namespace MemLens.Snapshots.Graph;

/// <summary>
/// What <see cref="HeapGraphBuilder"/> did with the static field slots it was given
/// (<see cref="HeapGraphBuilder.AddStaticSlot"/>): how many became named roots, and why the others did not.
/// </summary>
/// <param name="Folded">
/// Slots inside a heap object (the runtime's statics storage, a pinned <c>Object[]</c>) whose value that object
/// referenced: the reference was dropped and the value became a static-field root.
/// </param>
/// <param name="Unheld">Slots outside every heap object (storage the walk does not describe): the value became a root, no reference was dropped.</param>
/// <param name="ValueNotInGraph">Slots whose value is no object of the graph (it moved or was replaced since the walk): skipped.</param>
/// <param name="HolderLacksReference">Slots inside a heap object that has no reference to the value (the slot changed since the walk): skipped.</param>
public readonly record struct StaticSlotFolding(long Folded, long Unheld, long ValueNotInGraph, long HolderLacksReference)
{
    /// <summary>Slots that named a root.</summary>
    public long Named => Folded + Unheld;

    /// <summary>Slots that named nothing.</summary>
    public long Skipped => ValueNotInGraph + HolderLacksReference;
}
