using System.Net;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Api;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Failed_authentications_from_one_address_get_429_until_the_window_ends_and_others_are_unaffected()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:FailedAuthenticationsPerMinute"] = "3" });
        var valid = await api.CreateKeyAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(KeySecret.Generate("kd_"), peer: "198.51.100.7").GetAsync("/api/v2/me")).StatusCode);
        }
        var blocked = await api.Client(valid.Secret, peer: "198.51.100.7").GetAsync("/api/v2/me");
        var elsewhere = await api.Client(valid.Secret, peer: "198.51.100.8").GetAsync("/api/v2/me");

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal(["rate_limited"], await blocked.ErrorCodesAsync());
        Assert.InRange(int.Parse(blocked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Successful_traffic_is_not_limited_by_default()
    {
        await using var api = new ApiFactory();
        var client = api.Client((await api.CreateKeyAsync()).Secret);

        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v2/me")).StatusCode);
        }
    }

    [Fact]
    public async Task A_configured_per_key_limit_answers_429_and_leaves_other_keys_alone()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:RequestsPerKeyPerMinute"] = "2" });
        var busy = api.Client((await api.CreateKeyAsync("busy")).Secret);
        var quiet = api.Client((await api.CreateKeyAsync("quiet")).Secret);

        Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/api/v2/me")).StatusCode);
        var third = await busy.GetAsync("/api/v2/me");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(["rate_limited"], await third.ErrorCodesAsync());
        Assert.True(int.Parse(third.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task Verify_is_rate_limited_per_calling_key()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:VerificationsPerKeyPerMinute"] = "2" });
        var caller = await api.CreateKeyAsync();
        var client = api.Client(caller.Secret);

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/verify", ApiJson.Body(new { key = caller.Secret }))).StatusCode);
        }
        var limited = await client.PostAsync("/api/v2/verify", ApiJson.Body(new { key = caller.Secret }));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v2/me")).StatusCode);
    }
}
