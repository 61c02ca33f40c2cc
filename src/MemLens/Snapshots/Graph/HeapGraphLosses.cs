namespace MemLens.Snapshots.Graph;

/// <summary>
/// What <see cref="HeapGraphBuilder"/> counted and dropped instead of growing without limit or failing, so a
/// snapshot can say it is incomplete rather than be silently wrong.
/// </summary>
/// <param name="NodesOverLimit">Nodes refused because MaxNodes was reached.</param>
/// <param name="EdgesOverLimit">Edges refused because MaxEdges was reached (or because their node was refused).</param>
/// <param name="RootsOverLimit">Roots (and static slots) refused because MaxRoots was reached.</param>
/// <param name="DuplicateNodes">Nodes given at an address already taken; one of them is kept (which one is unspecified), the rest dropped.</param>
/// <param name="DanglingEdges">Edges whose source or target is no known node (e.g. a target outside the walked heap).</param>
/// <param name="DanglingRoots">Roots whose address is no known node.</param>
/// <param name="MissingEdges">
/// References that nodes announced (their edge count) but that never arrived: the walk ended early or lost events.
/// </param>
/// <param name="SurplusEdges">Edge targets that arrived beyond every announced edge count, so no node could be their source.</param>
public readonly record struct HeapGraphLosses(
    long NodesOverLimit, long EdgesOverLimit, long RootsOverLimit, long DuplicateNodes, long DanglingEdges, long DanglingRoots,
    long MissingEdges = 0, long SurplusEdges = 0)
{
    /// <summary>
    /// True when the graph lacks something the heap had: a limit was hit, or announced references did not arrive or
    /// matched no node (dangling references alone do not count: the walk reports some outside the heap).
    /// </summary>
    public bool Truncated => NodesOverLimit > 0 || EdgesOverLimit > 0 || RootsOverLimit > 0 || MissingEdges > 0 || SurplusEdges > 0;
}
