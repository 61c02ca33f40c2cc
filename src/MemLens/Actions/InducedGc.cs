using MemLens.Events;

namespace MemLens.Actions;

/// <summary>The outcome of a GC induced from outside: the GC as the runtime reported it (with heap sizes before and after), and how long the request took.</summary>
public sealed record InducedGc(GcEvent Gc, TimeSpan Duration);
