using System.Globalization;
using System.Net;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Api;

/// <summary>Failed authentications are limited per client address; requests and verifications per calling key.</summary>
public sealed class RateLimitTests
{
    private const string Attacker = "203.0.113.66";
    private const string Neighbour = "198.51.100.7";

    [Fact]
    public async Task After_too_many_failed_authentications_an_address_is_refused_even_with_a_valid_key_while_others_are_not()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:FailedAuthenticationsPerMinute"] = "3" });
        var valid = await api.CreateKeyAsync("Valid");
        var deleted = await api.CreateKeyAsync("Deleted");
        await api.WithKeysAsync(keys => keys.DeleteAsync(deleted.Key.Id, ApiFactory.Admin));

        using var fromAttacker = api.Client(valid.Secret, Attacker);
        using var before = await fromAttacker.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        foreach (var wrong in new[] { "not-a-key", KeySecret.Generate("kd_"), deleted.Secret })
        {
            using var guess = api.Client(wrong, Attacker);
            using var refused = await guess.GetAsync("/api/v2/me");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var blocked = await fromAttacker.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal(["rate_limited"], await blocked.ErrorCodesAsync());
        Assert.InRange(RetryAfterSeconds(blocked), 1, 60);

        using var fromNeighbour = api.Client(valid.Secret, Neighbour);
        using var unaffected = await fromNeighbour.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_failed_authentications_count_against_the_forwarded_client_not_the_proxy()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?>
        {
            ["Api:FailedAuthenticationsPerMinute"] = "3",
            ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
        });
        var valid = await api.CreateKeyAsync("Valid");

        for (var i = 0; i < 3; i++)
        {
            using var guess = ViaProxy(api, KeySecret.Generate("kd_"), Attacker);
            using var refused = await guess.GetAsync("/api/v2/me");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var attacker = ViaProxy(api, valid.Secret, Attacker);
        using var blocked = await attacker.GetAsync("/api/v2/me");
        // Everyone else reaches the app through the same proxy, and must not be locked out with the attacker.
        using var neighbour = ViaProxy(api, valid.Secret, Neighbour);
        using var unaffected = await neighbour.GetAsync("/api/v2/me");

        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
        Assert.Equal(["rate_limited"], await blocked.ErrorCodesAsync());
    }

    [Fact]
    public async Task By_default_a_key_has_no_per_minute_request_limit()
    {
        await using var api = new ApiFactory();
        var key = await api.CreateKeyAsync("Busy");
        using var client = api.Client(key.Secret);

        for (var i = 0; i < 30; i++)
        {
            using var response = await client.GetAsync(i % 2 == 0 ? "/api/v2/me" : "/api/v2/keys");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task With_a_per_key_limit_the_next_request_waits_for_Retry_After_and_other_keys_are_unaffected()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:RequestsPerKeyPerMinute"] = "2" });
        var busy = await api.CreateKeyAsync("Busy");
        var quiet = await api.CreateKeyAsync("Quiet");
        using var asBusy = api.Client(busy.Secret);
        using var asQuiet = api.Client(quiet.Secret);

        using var first = await asBusy.GetAsync("/api/v2/me");
        using var second = await asBusy.GetAsync("/api/v2/keys");
        using var third = await asBusy.GetAsync("/api/v2/me");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal(["rate_limited"], await third.ErrorCodesAsync());
        Assert.InRange(RetryAfterSeconds(third), 1, 60);

        for (var i = 0; i < 2; i++)
        {
            using var other = await asQuiet.GetAsync("/api/v2/me");
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }
    }

    [Fact]
    public async Task A_per_key_Retry_After_counts_down_with_the_window()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:RequestsPerKeyPerMinute"] = "1" });
        var busy = await api.CreateKeyAsync("Busy");
        using var asBusy = api.Client(busy.Secret);

        using var first = await asBusy.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(2.2), TestContext.Current.CancellationToken);
        using var refused = await asBusy.GetAsync("/api/v2/me");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(RetryAfterSeconds(refused), 1, 58);
    }

    [Fact]
    public async Task A_verification_limit_of_zero_is_off_like_every_other_limit()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:VerificationsPerKeyPerMinute"] = "0" });
        var service = await api.CreateKeyAsync("Checking service", readOnly: true);
        using var asService = api.Client(service.Secret);

        for (var i = 0; i < 5; i++)
        {
            using var verified = await asService.PostAsync("/api/v2/verify", ApiJson.Body(new { key = service.Secret }));
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        }
    }

    [Fact]
    public async Task Verify_calls_are_limited_per_calling_key_without_limiting_its_other_requests()
    {
        await using var api = new ApiFactory(new Dictionary<string, string?> { ["Api:VerificationsPerKeyPerMinute"] = "2" });
        var service = await api.CreateKeyAsync("Checking service", readOnly: true);
        var other = await api.CreateKeyAsync("Other service", readOnly: true);
        var checkedKey = await api.CreateKeyAsync("Customer key");
        using var asService = api.Client(service.Secret);
        using var asOther = api.Client(other.Secret);
        var body = new { key = checkedKey.Secret };

        for (var i = 0; i < 2; i++)
        {
            using var verified = await asService.PostAsync("/api/v2/verify", ApiJson.Body(body));
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
            Assert.Equal("VALID", (await verified.ResultAsync()).GetProperty("code").GetString());
        }
        using var limited = await asService.PostAsync("/api/v2/verify", ApiJson.Body(body));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(["rate_limited"], await limited.ErrorCodesAsync());
        Assert.InRange(RetryAfterSeconds(limited), 1, 60);

        using var me = await asService.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        using var byOther = await asOther.PostAsync("/api/v2/verify", ApiJson.Body(body));
        Assert.Equal(HttpStatusCode.OK, byOther.StatusCode);
    }

    private static HttpClient ViaProxy(ApiFactory api, string secret, string client)
    {
        var http = api.Client(secret, peer: "10.0.0.1");
        http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        return http;
    }

    private static int RetryAfterSeconds(HttpResponseMessage response)
    {
        var raw = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.True(int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds), $"Retry-After: {raw}");
        return seconds;
    }
}

/// <summary>Who shares a failed-authentication budget, and when a spent one frees, on a clock the test moves.</summary>
public sealed class FailedAuthenticationBudgetTests
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider clock = new(DateTimeOffset.UtcNow);

    private ApiFactory Api(string perMinute = "3") => new(
        new Dictionary<string, string?> { ["Api:FailedAuthenticationsPerMinute"] = perMinute },
        services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<TimeProvider>(services, clock));

    [Fact]
    public async Task IPv6_clients_share_one_budget_per_64_and_IPv4_mapped_clients_count_per_address()
    {
        await using var api = Api();
        var valid = await api.CreateKeyAsync("Valid");

        foreach (var peer in new[] { "2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:2:ffff:ffff:ffff:ffff" })
        {
            await FailAsync(api, peer);
        }
        foreach (var peer in new[] { "::ffff:203.0.113.1", "::ffff:203.0.113.2", "::ffff:203.0.113.3" })
        {
            await FailAsync(api, peer);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(api, valid.Secret, "2001:db8:1:2::1234"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, valid.Secret, "2001:db8:1:3::a"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, valid.Secret, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, valid.Secret, "::ffff:203.0.113.4"));
    }

    [Fact]
    public async Task Retry_After_says_when_the_window_frees_and_it_does()
    {
        await using var api = Api();
        var valid = await api.CreateKeyAsync("Valid");
        const string attacker = "203.0.113.66";
        for (var i = 0; i < 3; i++)
        {
            await FailAsync(api, attacker);
        }

        clock.Advance(TimeSpan.FromSeconds(45));
        using var blocked = await api.Client(valid.Secret, attacker).GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal("15", Assert.Single(blocked.Headers.GetValues("Retry-After")));

        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, valid.Secret, attacker));
    }

    [Fact]
    public async Task Zero_turns_the_limit_off()
    {
        await using var api = Api("0");
        var valid = await api.CreateKeyAsync("Valid");
        for (var i = 0; i < 25; i++)
        {
            await FailAsync(api, "203.0.113.66");
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(api, valid.Secret, "203.0.113.66"));
    }

    private static async Task FailAsync(ApiFactory api, string peer) =>
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(api, KeysDashboard.Keys.KeySecret.Generate("kd_"), peer));

    private static async Task<HttpStatusCode> StatusAsync(ApiFactory api, string secret, string peer)
    {
        using var client = api.Client(secret, peer);
        using var response = await client.GetAsync("/api/v2/me");
        return response.StatusCode;
    }
}
