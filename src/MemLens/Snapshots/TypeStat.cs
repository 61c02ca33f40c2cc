namespace MemLens.Snapshots;

/// <summary>Objects of one type found in a heap snapshot: how many, and their total size (shallow, in bytes).</summary>
/// <param name="Name">The type's full name as the runtime reports it, e.g. <c>System.Byte[]</c>.</param>
/// <param name="Count">Number of live objects of the type.</param>
/// <param name="Bytes">Sum of the objects' own sizes (not what they reference).</param>
public readonly record struct TypeStat(string Name, long Count, long Bytes);
