using System.Net;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Api;

/// <summary>After a disable, delete or regenerate, from the dashboard's service or through the API, the very next request with the old secret is refused.</summary>
public sealed class RevocationTests : IAsyncLifetime
{
    private readonly ApiFactory api = new(new Dictionary<string, string?> { ["Api:FailedAuthenticationsPerMinute"] = "1000" });
    private IssuedKey admin = default!;

    public async ValueTask InitializeAsync() => admin = await api.CreateKeyAsync("admin");

    public ValueTask DisposeAsync() => api.DisposeAsync();

    [Fact]
    public async Task Disable_from_the_dashboard_refuses_the_next_request()
    {
        var victim = await api.CreateKeyAsync("victim");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);

        await api.WithKeysAsync(keys => keys.SetEnabledAsync(victim.Key.Id, false, ApiFactory.Admin));

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task Disable_through_the_api_refuses_the_next_request_and_enable_restores_it()
    {
        var victim = await api.CreateKeyAsync("victim");
        var client = api.Client(admin.Secret);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.PatchJsonAsync($"/api/v2/keys/{victim.Key.Id}", new { enabled = false })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.PatchJsonAsync($"/api/v2/keys/{victim.Key.Id}", new { enabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task Delete_from_either_door_refuses_the_next_request()
    {
        var viaDashboard = await api.CreateKeyAsync("dashboard victim");
        var viaApi = await api.CreateKeyAsync("api victim");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(viaDashboard.Secret).GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(viaApi.Secret).GetAsync("/api/v2/me")).StatusCode);

        await api.WithKeysAsync(keys => keys.DeleteAsync(viaDashboard.Key.Id, ApiFactory.Admin));
        var deleted = await api.Client(admin.Secret).DeleteAsync($"/api/v2/keys/{viaApi.Key.Id}");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(viaDashboard.Secret).GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(viaApi.Secret).GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task Regenerate_without_grace_refuses_the_old_secret_at_once()
    {
        var victim = await api.CreateKeyAsync("victim");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);

        var response = await api.Client(admin.Secret).PostAsync($"/api/v2/keys/{victim.Key.Id}/regenerate", null);
        var rotated = (await response.ResultAsync()).GetProperty("value").GetString()!;

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(rotated).GetAsync("/api/v2/me")).StatusCode);

        var fromDashboard = await api.WithKeysAsync(keys => keys.RegenerateAsync(victim.Key.Id, TimeSpan.Zero, ApiFactory.Admin));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(rotated).GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(fromDashboard!.Secret).GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task Regenerate_with_grace_keeps_the_old_secret_until_the_grace_ends()
    {
        var victim = await api.CreateKeyAsync("victim");

        var response = await api.Client(admin.Secret).PostAsync($"/api/v2/keys/{victim.Key.Id}/regenerate", ApiJson.Body(new { grace_period_seconds = 3600 }));
        var result = await response.ResultAsync();
        var rotated = result.GetProperty("value").GetString()!;

        var graceEnds = result.GetProperty("previous_value_expires_time").GetDateTime();
        Assert.InRange(graceEnds - DateTime.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.OK, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(rotated).GetAsync("/api/v2/me")).StatusCode);

        // The hour passes.
        await api.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == victim.Key.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.PreviousKeyExpiresAt, DateTime.UtcNow.AddSeconds(-1))));

        var old = await api.Client(victim.Secret).GetAsync("/api/v2/me");
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal(["invalid_key"], await old.ErrorCodesAsync());
        Assert.Equal(HttpStatusCode.OK, (await api.Client(rotated).GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task Disabling_a_key_in_its_grace_period_refuses_both_secrets()
    {
        var victim = await api.CreateKeyAsync("victim");
        var rotated = await api.WithKeysAsync(keys => keys.RegenerateAsync(victim.Key.Id, TimeSpan.FromHours(1), ApiFactory.Admin));

        await api.WithKeysAsync(keys => keys.SetEnabledAsync(victim.Key.Id, false, ApiFactory.Admin));

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(victim.Secret).GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(rotated!.Secret).GetAsync("/api/v2/me")).StatusCode);
    }
}
