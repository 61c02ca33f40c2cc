using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using MemLens.AspNetCore.Access;
using Xunit;

namespace MemLens.AspNetCore.Tests.ProbeTests;

/// <summary>Guessing the token: after a few wrong tokens a client gets 429 with Retry-After; other clients do not.</summary>
public class TokenAttemptProbeTests
{
    private const string Token = "correct-horse-battery-staple-0123";

    [Fact]
    public async Task Wrong_tokens_from_one_client_are_limited_with_429_and_Retry_After_other_clients_are_not()
    {
        var lan = ProbeServers.NonLoopbackAddress() ?? throw new InvalidOperationException("This probe needs an address of this machine that is not loopback (eth0); none is up.");
        using var monitor = ProbeServers.ActingMonitor(new ScriptedTargetActions());
        await using var server = MemLensServer.Start(monitor, new MemLensServerOptions { Address = IPAddress.Any, AccessToken = Token });
        string port = server.Url.Port.ToString(CultureInfo.InvariantCulture);
        var local = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient();

        // Asking without a token (the page does, before it shows its form) is not a guess.
        for (int i = 0; i < 3 * FailedTokenAttempts.PermitLimit; i++)
        {
            using var none = await http.GetAsync(new Uri(local, "api/catalog"));
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        }

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < FailedTokenAttempts.PermitLimit + 5 && limited is null; i++)
        {
            var response = await Send(local, "guess-" + i.ToString(CultureInfo.InvariantCulture));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.All(statuses.Take(FailedTokenAttempts.PermitLimit), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
            Assert.True(limited.Headers.RetryAfter?.Delta is { } delay && delay > TimeSpan.Zero, limited.Headers.ToString());
            await ProbeServers.OneLineErrorAsync(limited);
        }

        // While limited, even the right token is not tried: a guess that happens to be right gains nothing.
        using (var right = await Send(local, Token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        }

        using (var metrics = await Send(local, Token, "api/status"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, metrics.StatusCode);
        }

        // Another client (this machine's network address) is served.
        using var other = await Send(new Uri($"http://{lan}:{port}/"), Token);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        async Task<HttpResponseMessage> Send(Uri baseUrl, string token, string route = "api/catalog")
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, route));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await http.SendAsync(request);
        }
    }

    [Fact]
    public void The_table_of_clients_stays_bounded_under_a_hundred_thousand_addresses()
    {
        using var attempts = new FailedTokenAttempts();
        for (int i = 0; i < 100_000; i++)
        {
            var address = new IPAddress(new byte[] { 10, (byte)(i >> 16), (byte)(i >> 8), (byte)i });
            attempts.Failed(address);
        }

        Assert.InRange(attempts.Partitions, 1, FailedTokenAttempts.MaxPartitions);
    }
}
