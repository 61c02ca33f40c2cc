using MemLens.Go;
using Xunit;

namespace MemLens.Tests.Go;

/// <summary>What `memlens run` puts in a Go child's GODEBUG: the trace settings, and every setting the user had.</summary>
public class GoDebugTests
{
    [Theory]
    [InlineData(null, "gctrace=1,scavtrace=1")]
    [InlineData("", "gctrace=1,scavtrace=1")]
    [InlineData("madvdontneed=0", "madvdontneed=0,gctrace=1,scavtrace=1")]
    [InlineData("madvdontneed=1,http2debug=2", "madvdontneed=1,http2debug=2,gctrace=1,scavtrace=1")]
    // The user's own trace levels stand (gctrace=2 prints more, not less).
    [InlineData("gctrace=2", "gctrace=2,scavtrace=1")]
    [InlineData("scavtrace=1,gctrace=1", "scavtrace=1,gctrace=1")]
    // Spaces and empty items are tidied, nothing else is touched.
    [InlineData(" madvdontneed=0 ,, asyncpreemptoff=1", "madvdontneed=0,asyncpreemptoff=1,gctrace=1,scavtrace=1")]
    // A key without a value is the user's business: kept as it is.
    [InlineData("invalidptr", "invalidptr,gctrace=1,scavtrace=1")]
    public void Adds_the_trace_settings_and_keeps_the_users(string? existing, string expected)
    {
        Assert.Equal(expected, GoDebug.Merge(existing, out var overridden));
        Assert.Empty(overridden);
    }

    [Fact]
    public void A_trace_turned_off_by_the_user_is_turned_on_after_it_and_said()
    {
        // The runtime takes the last value of a key, so the appended setting wins; the user's stays visible.
        Assert.Equal("gctrace=0,madvdontneed=0,scavtrace=off,gctrace=1,scavtrace=1",
            GoDebug.Merge("gctrace=0,madvdontneed=0,scavtrace=off", out var overridden));
        Assert.Equal(["gctrace=0", "scavtrace=off"], overridden);
    }

    [Fact]
    public void The_last_of_a_key_given_twice_decides_as_in_the_runtime()
    {
        Assert.Equal("gctrace=1,gctrace=0,scavtrace=1,gctrace=1", GoDebug.Merge("gctrace=1,gctrace=0,scavtrace=1", out var overridden));
        Assert.Equal(["gctrace=0"], overridden);
    }
}
