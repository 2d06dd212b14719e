using System.Net;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Api;

/// <summary>Addresses sent to the API mean what was typed: legacy inet_aton spellings are refused, not reinterpreted.</summary>
public sealed class IpInputTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();
    private HttpClient client = default!;

    public async ValueTask InitializeAsync() => client = api.Client((await api.CreateKeyAsync("Integration")).Secret);

    public ValueTask DisposeAsync() => api.DisposeAsync();

    [Theory]
    [InlineData("010.0.0.1")]
    [InlineData("1.2.3")]
    [InlineData("0x7f.1")]
    [InlineData("10")]
    [InlineData("fe80::1%eth0")]
    public async Task Verify_refuses_a_legacy_spelling_of_ip(string ip)
    {
        var secret = (await api.CreateKeyAsync("Checked", ips: ["8.0.0.1", "1.2.0.3", "127.0.0.1", "0.0.0.10", "fe80::1"])).Secret;

        using var response = await client.PostAsync("/api/v2/verify", ApiJson.Body(new { key = secret, ip }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["invalid_ip"], await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task Verify_names_the_canonical_form_when_the_only_fault_is_leading_zeros()
    {
        using var response = await client.PostAsync("/api/v2/verify", ApiJson.Body(new { key = "kd_x", ip = "010.0.0.1" }));

        var error = (await response.ReadAsync()).GetProperty("errors")[0];
        Assert.Equal("ip", error.GetProperty("field").GetString());
        Assert.Contains("Did you mean 10.0.0.1?", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("010.0.0.1")]
    [InlineData("017.0.0.0/8")]
    [InlineData("1.2.3")]
    [InlineData("0x7f.1")]
    [InlineData("10")]
    public async Task Creating_or_changing_a_key_with_a_legacy_spelling_is_refused_and_nothing_is_stored(string ip)
    {
        using var created = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "Legacy", ips = new[] { ip } }));
        var existing = await api.CreateKeyAsync("Existing", ips: ["192.0.2.1"]);
        using var patched = await client.PatchJsonAsync($"/api/v2/keys/{existing.Key.Id}", new { ips = new[] { ip } });

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal(["ips"], await created.ErrorFieldsAsync());
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.Equal(["ips"], await patched.ErrorFieldsAsync());
        var stored = await api.WithDbAsync(db => db.ApiKeys.AsNoTracking().Select(k => new { k.Name, k.Ips }).ToListAsync());
        Assert.DoesNotContain(stored, k => k.Name == "Legacy");
        Assert.Equal(["192.0.2.1"], stored.Single(k => k.Name == "Existing").Ips);
    }

    [Fact]
    public async Task A_mapped_network_is_stored_as_IPv4_and_matches_the_clients_it_names()
    {
        using var created = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "Mapped", ips = new[] { "::ffff:127.0.0.0/104" } }));
        var key = await created.ResultAsync();
        Assert.Equal(["127.0.0.0/8"], key.GetProperty("ips").EnumerateArray().Select(e => e.GetString()));

        using var fromMapped = api.Client(key.GetProperty("value").GetString(), peer: "::ffff:127.0.0.1");
        using var me = await fromMapped.GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }
}
