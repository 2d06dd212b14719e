using System.Net;
using System.Text.Json;
using KeysDashboard.Audit;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Audit;

/// <summary>GET /api/v2/audit: only for keys with audit:read, the page's filters, cursor pages, bad input refused.</summary>
public sealed class AuditApiTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();
    private HttpClient auditor = default!;
    private IssuedKey auditKey = default!;
    private IssuedKey target = default!;

    public async ValueTask InitializeAsync()
    {
        auditKey = await api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("Auditor script", false, [], null, ["audit:read"]), ApiFactory.Admin));
        auditor = api.Client(auditKey.Secret);
        target = await api.CreateKeyAsync("Target");
        await api.CreateKeyAsync("Other");
        await api.WithKeysAsync(keys => keys.SetEnabledAsync(target.Key.Id, false, ApiFactory.Admin, reason: "leaked in a ticket"));
    }

    public async ValueTask DisposeAsync()
    {
        auditor.Dispose();
        await api.DisposeAsync();
    }

    private async Task<List<JsonElement>> ItemsAsync(string query)
    {
        using var response = await auditor.GetAsync($"/api/v2/audit{query}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ResultAsync()).EnumerateArray()];
    }

    [Fact]
    public async Task A_key_with_audit_read_lists_rows_oldest_first_with_every_field()
    {
        await api.Services.SealAsync();

        var items = await ItemsAsync("");

        Assert.Equal([AuditActions.KeyCreated, AuditActions.KeyCreated, AuditActions.KeyCreated, AuditActions.KeyDisabled],
            items.Select(i => i.GetProperty("action").GetString()));
        var disabled = items[^1];
        Assert.Equal(
            ["id", "seq", "time", "actor_kind", "actor_id", "actor_name", "action", "outcome", "key_id", "key_name", "target_id", "target_name",
             "client_ip", "request_id", "reason", "details", "hash"],
            disabled.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, disabled.GetProperty("seq").GetInt64());
        Assert.Equal(("person", "owner@example.com", "success"),
            (disabled.GetProperty("actor_kind").GetString(), disabled.GetProperty("actor_name").GetString(), disabled.GetProperty("outcome").GetString()));
        Assert.Equal((target.Key.Id, "leaked in a ticket"), (disabled.GetProperty("key_id").GetString(), disabled.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Object, disabled.GetProperty("details").ValueKind);
        Assert.Equal(64, disabled.GetProperty("hash").GetString()!.Length);
        Assert.EndsWith("Z", disabled.GetProperty("time").GetString());
    }

    [Fact]
    public async Task Filters_narrow_the_rows()
    {
        Assert.Equal(2, (await ItemsAsync($"?key={target.Key.Id}")).Count);
        Assert.Single(await ItemsAsync("?action=key.disabled"));
        Assert.Equal(4, (await ItemsAsync("?action=key.*")).Count);
        Assert.Equal(4, (await ItemsAsync("?actor=OWNER@example")).Count);
        Assert.Empty(await ItemsAsync("?outcome=refused"));
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(4, (await ItemsAsync($"?from={today}&to={today}")).Count);
        Assert.Empty(await ItemsAsync("?to=2020-01-01"));
        Assert.Empty(await ItemsAsync($"?from={Uri.EscapeDataString(DateTime.UtcNow.AddMinutes(5).ToString("O"))}"));
        Assert.Single(await ItemsAsync($"?key={target.Key.Id}&action=key.disabled&outcome=success"));
    }

    [Fact]
    public async Task Cursor_pages_cover_every_row_once_and_keep_the_filters()
    {
        for (var i = 0; i < 5; i++)
        {
            await api.WithKeysAsync(keys => keys.SetEnabledAsync(target.Key.Id, i % 2 == 1, ApiFactory.Admin, reason: $"round {i}"));
        }
        var seen = new List<long>();
        var url = $"/api/v2/audit?key={target.Key.Id}&limit=2";
        var pages = 0;
        while (url is not null)
        {
            using var response = await auditor.GetAsync(url, TestContext.Current.CancellationToken);
            var json = await response.ReadAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
            seen.AddRange(json.GetProperty("result").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
            url = json.GetProperty("links").TryGetProperty("next", out var next) ? new Uri(next.GetString()!).PathAndQuery : null;
            Assert.True(url is null || url.Contains($"key={target.Key.Id}", StringComparison.Ordinal));
            pages++;
        }
        Assert.Equal(4, pages);
        Assert.Equal(7, seen.Count);
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Distinct(), seen);
    }

    [Theory]
    [InlineData("?limit=0", "invalid_limit")]
    [InlineData("?limit=101", "invalid_limit")]
    [InlineData("?cursor=forged", "invalid_cursor")]
    [InlineData("?outcome=maybe", "invalid_value")]
    [InlineData("?from=31/01/2026", "invalid_value")]
    [InlineData("?from=2026-01-31T10:00:00", "invalid_value")]
    [InlineData("?from=2026-02-01&to=2026-01-01", "invalid_value")]
    [InlineData("?sort=desc", "unknown_parameter")]
    [InlineData("?key=a&key=b", "repeated_parameter")]
    public async Task Bad_parameters_are_refused_with_400(string query, string code)
    {
        using var response = await auditor.GetAsync($"/api/v2/audit{query}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(code, await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task A_key_without_audit_read_gets_403_and_the_refusal_is_audited()
    {
        using var manager = api.Client((await api.CreateKeyAsync("Key manager")).Secret);

        using var response = await manager.GetAsync("/api/v2/audit", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(["insufficient_scope"], await response.ErrorCodesAsync());
        var refused = await api.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).LastAsync());
        Assert.Equal((AuditActions.AccessRefused, AuditOutcomes.Refused, "key"), (refused.Action, refused.Outcome, refused.ActorKind));
        Assert.Contains("audit.read", refused.Details);

        // And the auditor key sees that refusal.
        Assert.Single(await ItemsAsync("?outcome=refused"));
    }

    [Fact]
    public async Task The_audit_key_cannot_manage_keys_and_no_key_gets_in_without_one()
    {
        using var list = await auditor.GetAsync("/api/v2/keys", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);

        using var anonymous = await api.Client().GetAsync("/api/v2/audit", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_operation_is_in_the_API_document_with_its_parameters()
    {
        using var response = await api.Client().GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var document = await response.ReadAsync();

        var operation = document.GetProperty("paths").GetProperty("/api/v2/audit").GetProperty("get");
        Assert.Equal("ListAuditEntries", operation.GetProperty("operationId").GetString());
        Assert.Equal(["actor", "key", "action", "outcome", "from", "to", "limit", "cursor"],
            operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(["200", "400", "401", "403", "429", "500"], operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
        Assert.Contains(document.GetProperty("tags").EnumerateArray(), t => t.GetProperty("name").GetString() == "Audit");
        Assert.False(document.GetProperty("paths").TryGetProperty("/audit/export.csv", out _));
    }
}
