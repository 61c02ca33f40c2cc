namespace MemLens.AspNetCore.Access;

/// <summary>Marks the endpoints MemLens maps, so start-up can find them and see whether a policy protects them.</summary>
internal sealed class MemLensEndpointMetadata
{
    public static readonly MemLensEndpointMetadata Instance = new();

    private MemLensEndpointMetadata()
    {
    }
}
