using System.Net;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Api;

/// <summary>Every rule by which a request's key is accepted or refused, and the status and code each refusal gets.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private readonly ApiFactory api = new(new Dictionary<string, string?> { ["Api:FailedAuthenticationsPerMinute"] = "1000" });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => api.DisposeAsync();

    [Fact]
    public async Task A_key_is_accepted_as_a_bearer_token_or_in_X_API_Key()
    {
        var key = await api.CreateKeyAsync();

        Assert.Equal(HttpStatusCode.OK, (await api.Client(key.Secret).GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(key.Secret, asApiKeyHeader: true).GetAsync("/api/v2/me")).StatusCode);
    }

    [Theory]
    [InlineData("/api/v2/keys?api_key={0}")]
    [InlineData("/api/v2/keys?key={0}")]
    [InlineData("/api/v2/keys?access_token={0}")]
    public async Task A_key_in_the_query_string_is_never_accepted(string url)
    {
        var key = await api.CreateKeyAsync();

        var response = await api.Client().GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, url, key.Secret));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["missing_key"], await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task A_missing_key_gets_401_with_WWW_Authenticate()
    {
        var response = await api.Client().GetAsync("/api/v2/keys");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // RFC 6750 section 3.1: a request with no credentials gets the challenge alone, no error code.
        Assert.Equal("Bearer realm=\"KeysDashboard\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(["missing_key"], await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task A_bad_key_gets_WWW_Authenticate_with_invalid_token()
    {
        var response = await api.Client(KeySecret.Generate("kd_")).GetAsync("/api/v2/keys");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer realm=\"KeysDashboard\", error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Malformed_and_bad_checksum_keys_get_401_malformed_key()
    {
        var key = await api.CreateKeyAsync();
        var typo = key.Secret[..10] + (key.Secret[10] == 'a' ? 'b' : 'a') + key.Secret[11..];

        foreach (var presented in new[] { "not-a-key", "kd_", typo, key.Secret + "x" })
        {
            var response = await api.Client(presented).GetAsync("/api/v2/keys");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEmpty(response.Headers.WwwAuthenticate);
            Assert.Equal(["malformed_key"], await response.ErrorCodesAsync());
        }
    }

    [Fact]
    public async Task A_well_formed_key_that_was_never_issued_gets_401_invalid_key()
    {
        var response = await api.Client(KeySecret.Generate("kd_")).GetAsync("/api/v2/keys");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["invalid_key"], await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task Different_keys_in_Authorization_and_X_API_Key_are_refused()
    {
        var first = await api.CreateKeyAsync("first");
        var second = await api.CreateKeyAsync("second");
        var client = api.Client(first.Secret);
        client.DefaultRequestHeaders.Add("X-API-Key", second.Secret);

        var response = await client.GetAsync("/api/v2/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["conflicting_keys"], await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task Disabled_and_expired_keys_get_401_saying_which()
    {
        var disabled = await api.CreateKeyAsync("disabled");
        await api.WithKeysAsync(keys => keys.SetEnabledAsync(disabled.Key.Id, false, ApiFactory.Admin));
        var expired = await api.CreateKeyAsync("expired", expires: DateTime.UtcNow.AddDays(1));
        await api.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == expired.Key.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.ExpiresAt, DateTime.UtcNow.AddSeconds(-1))));

        var disabledResponse = await api.Client(disabled.Secret).GetAsync("/api/v2/me");
        var expiredResponse = await api.Client(expired.Secret).GetAsync("/api/v2/me");

        Assert.Equal(HttpStatusCode.Unauthorized, disabledResponse.StatusCode);
        Assert.Equal(["key_disabled"], await disabledResponse.ErrorCodesAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, expiredResponse.StatusCode);
        Assert.Equal(["key_expired"], await expiredResponse.ErrorCodesAsync());
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "203.0.113.8", false)]
    [InlineData("10.0.0.0/8", "10.20.30.40", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "2001:db9::5", false)]
    [InlineData("2001:db8::1", "2001:db8::1", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("::/0", "::ffff:10.1.2.3", false)]
    public async Task The_allowlist_decides_by_client_address_and_refusals_get_403(string allowed, string client, bool accepted)
    {
        var key = await api.CreateKeyAsync(ips: [allowed]);

        var response = await api.Client(key.Secret, peer: client).GetAsync("/api/v2/me");

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(["ip_not_allowed"], await response.ErrorCodesAsync());
        }
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_proxy_that_is_not_configured_is_ignored()
    {
        var key = await api.CreateKeyAsync(ips: ["198.51.100.10"]);
        var client = api.Client(key.Secret, peer: "192.0.2.50");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.10");

        var response = await client.GetAsync("/api/v2/me");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(["ip_not_allowed"], await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_configured_proxy_is_the_client_address()
    {
        await using var proxied = new ApiFactory(new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "192.0.2.50",
            ["ForwardedHeaders:KnownIPNetworks:0"] = "172.16.0.0/12",
        });
        var key = await proxied.CreateKeyAsync(ips: ["198.51.100.10"]);

        foreach (var proxy in new[] { "192.0.2.50", "172.20.1.1" })
        {
            var allowed = proxied.Client(key.Secret, peer: proxy);
            allowed.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.10");
            Assert.Equal(HttpStatusCode.OK, (await allowed.GetAsync("/api/v2/me")).StatusCode);

            var refused = proxied.Client(key.Secret, peer: proxy);
            refused.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.11");
            Assert.Equal(HttpStatusCode.Forbidden, (await refused.GetAsync("/api/v2/me")).StatusCode);
        }

        // Loopback is not trusted unless configured.
        var loopback = proxied.Client(key.Secret, peer: "127.0.0.1");
        loopback.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.10");
        Assert.Equal(HttpStatusCode.Forbidden, (await loopback.GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task A_read_only_key_may_read_and_verify_but_not_write()
    {
        var readOnly = await api.CreateKeyAsync("reader", readOnly: true);
        var client = api.Client(readOnly.Secret);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v2/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v2/keys/{readOnly.Key.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v2/verify", ApiJson.Body(new { key = readOnly.Secret }))).StatusCode);

        var writes = new[]
        {
            await client.PostAsync("/api/v2/keys", ApiJson.Body(new { type = "api", name = "nope" })),
            await client.PatchJsonAsync($"/api/v2/keys/{readOnly.Key.Id}", new { name = "renamed" }),
            await client.DeleteAsync($"/api/v2/keys/{readOnly.Key.Id}"),
            await client.PostAsync($"/api/v2/keys/{readOnly.Key.Id}/regenerate", null),
        };
        foreach (var response in writes)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(["read_only_key"], await response.ErrorCodesAsync());
        }
        Assert.Equal(1, await api.WithDbAsync(db => db.ApiKeys.CountAsync()));
        Assert.Equal("reader", (await api.WithKeysAsync(keys => keys.FindAsync(readOnly.Key.Id, ApiFactory.Admin)))!.Name);
    }

    [Fact]
    public async Task A_signed_in_dashboard_cookie_does_not_authenticate_the_api()
    {
        var browser = api.App.CreateBrowserLikeClient();
        await Owner.SetUpAsync(browser);

        var response = await browser.GetAsync("/api/v2/keys");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Every_response_has_a_request_id()
    {
        var key = await api.CreateKeyAsync();

        foreach (var response in new[]
        {
            await api.Client(key.Secret).GetAsync("/api/v2/keys"),
            await api.Client().GetAsync("/api/v2/keys"),
            await api.Client(key.Secret).GetAsync("/api/v2/nothing-here"),
            await api.Client().GetAsync("/Account/Login"),
        })
        {
            Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("X-Request-Id").Single()));
        }
    }
}
