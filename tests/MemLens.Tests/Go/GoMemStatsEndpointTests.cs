using MemLens.Go;
using Xunit;

namespace MemLens.Tests.Go;

public class GoMemStatsEndpointTests
{
    [Theory]
    [InlineData("http://127.0.0.1:6060", "http://127.0.0.1:6060/")]
    [InlineData("http://127.0.0.1:6060/", "http://127.0.0.1:6060/")]
    [InlineData("  http://localhost:6060  ", "http://localhost:6060/")]
    [InlineData("http://LOCALHOST:6060", "http://localhost:6060/")]
    [InlineData("http://[::1]:6060", "http://[::1]:6060/")]
    [InlineData("http://[::ffff:127.0.0.1]:6060", "http://[::ffff:127.0.0.1]:6060/")]
    [InlineData("http://127.3.2.1:6060", "http://127.3.2.1:6060/")]
    [InlineData("https://127.0.0.1:6060", "https://127.0.0.1:6060/")]
    [InlineData("http://127.0.0.1:6060/debug/pprof/", "http://127.0.0.1:6060/")]
    [InlineData("http://127.0.0.1:6060/debug/pprof", "http://127.0.0.1:6060/")]
    [InlineData("http://127.0.0.1:6060/svc?x=1#top", "http://127.0.0.1:6060/svc/")]
    [InlineData("http://127.0.0.1:6060/svc/debug/pprof/", "http://127.0.0.1:6060/svc/")]
    public void Loopback_urls_are_accepted_as_a_base_under_which_both_endpoints_are_tried(string url, string expected)
    {
        Assert.True(GoMemStatsEndpoint.TryCreate(url, allowRemote: false, out Uri? baseUri, out string? error), error);
        Assert.Null(error);
        Assert.Equal(expected, baseUri.ToString());
        var candidates = GoMemStatsEndpoint.Candidates(baseUri);
        Assert.Equal([expected + "debug/pprof/heap?debug=1", expected + "debug/vars"], candidates.Select(c => c.ToString()));
    }

    [Theory]
    [InlineData("http://127.0.0.1:6060/debug/vars", "http://127.0.0.1:6060/debug/vars")]
    [InlineData("http://127.0.0.1:6060/debug/vars/", "http://127.0.0.1:6060/debug/vars")]
    [InlineData("http://localhost:6060/svc/debug/vars", "http://localhost:6060/svc/debug/vars")]
    [InlineData("http://127.0.0.1:6060/debug/pprof/heap", "http://127.0.0.1:6060/debug/pprof/heap?debug=1")]
    [InlineData("http://127.0.0.1:6060/debug/pprof/heap?debug=0", "http://127.0.0.1:6060/debug/pprof/heap?debug=1")]
    [InlineData("http://[::1]:6060/debug/pprof/heap?gc=1&debug=2", "http://[::1]:6060/debug/pprof/heap?gc=1&debug=1")]
    public void A_url_naming_one_endpoint_is_used_as_given_with_the_heap_profile_in_text(string url, string expected)
    {
        Assert.True(GoMemStatsEndpoint.TryCreate(url, allowRemote: false, out Uri? endpoint, out string? error), error);
        Assert.Equal(expected, endpoint.ToString());
        Assert.Equal([expected], GoMemStatsEndpoint.Candidates(endpoint).Select(c => c.ToString()));
    }

    [Theory]
    [InlineData("http://10.0.0.1:6060")]
    [InlineData("http://192.168.1.20:6060/debug/vars")]
    [InlineData("http://[2001:db8::1]:6060")]
    [InlineData("http://example.com:6060")]            // a name is not resolved: remote
    [InlineData("http://localhost.example.com:6060")]
    [InlineData("http://127.0.0.1.nip.io:6060")]
    [InlineData("http://0.0.0.0:6060")]
    public void Other_hosts_are_refused_without_allow_remote_and_accepted_with_it(string url)
    {
        Assert.False(GoMemStatsEndpoint.TryCreate(url, allowRemote: false, out Uri? refused, out string? error));
        Assert.Null(refused);
        Assert.Contains("--allow-remote", error, StringComparison.Ordinal);
        Assert.Contains("not a loopback address", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);

        Assert.True(GoMemStatsEndpoint.TryCreate(url, allowRemote: true, out Uri? accepted, out error), error);
        Assert.Equal(new Uri(url).Host, accepted.Host);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:6060/", "only http:// and https://")]
    [InlineData("file:///debug/vars", "only http:// and https://")]
    [InlineData("/debug/vars", "only http:// and https://")] // an absolute path is a file URL on Linux
    [InlineData("127.0.0.1:6060", "is not a URL")]
    [InlineData("localhost:6060", "only http:// and https://")] // scheme "localhost"
    [InlineData("garbage", "is not a URL")]
    [InlineData("http://", "is not a URL")]
    [InlineData("http:// 127.0.0.1:6060", "is not a URL")]
    [InlineData("", "no URL given")]
    [InlineData("   ", "no URL given")]
    public void Garbage_and_other_schemes_are_refused_in_one_line(string url, string expected)
    {
        Assert.False(GoMemStatsEndpoint.TryCreate(url, allowRemote: true, out Uri? endpoint, out string? error));
        Assert.Null(endpoint);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("http://127.0.0.1/", true)]
    [InlineData("http://127.255.255.254/", true)]
    [InlineData("http://[::1]/", true)]
    [InlineData("http://localhost./", true)]
    [InlineData("http://128.0.0.1/", false)]
    [InlineData("http://[::2]/", false)]
    [InlineData("http://my-localhost/", false)]
    public void Loopback_is_decided_without_dns(string url, bool loopback) =>
        Assert.Equal(loopback, GoMemStatsEndpoint.IsLoopback(new Uri(url)));
}
