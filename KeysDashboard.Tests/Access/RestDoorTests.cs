using System.Net;
using System.Text.Json;
using KeysDashboard.Access;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Access;

/// <summary>
/// The matrix at the REST door: the real app, a Bearer key made with each scope set, each endpoint of /api/v2. A
/// refusal is 403 with the code the Vidbeo view implies, changes nothing, and is audited.
/// </summary>
public sealed class RestDoorTests(MatrixApp app) : IClassFixture<MatrixApp>
{
    /// <summary>The operations that have an endpoint; the desk's (leaked lookup, bulk) are dashboard-only.</summary>
    private static readonly KeyOperation[] RestOperations =
    [
        KeyOperation.List, KeyOperation.Get, KeyOperation.Create, KeyOperation.Edit, KeyOperation.Enable,
        KeyOperation.Disable, KeyOperation.Regenerate, KeyOperation.Delete, KeyOperation.Verify,
    ];

    public static TheoryData<string, KeyOperation> Cells()
    {
        var cells = new TheoryData<string, KeyOperation>();
        foreach (var scopes in ExpectedAccess.ScopeSets)
        {
            foreach (var operation in RestOperations)
            {
                cells.Add(ExpectedAccess.Label(scopes), operation);
            }
        }
        return cells;
    }

    public static TheoryData<string> ScopeSets() => [.. ExpectedAccess.ScopeSets.Select(ExpectedAccess.Label)];

    private ApiFactory Api => app.Api;

    private IDbContextFactory<ApplicationDbContext> Db => Api.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task A_key_gets_exactly_the_endpoints_its_scopes_allow(string scopes, KeyOperation operation)
    {
        var held = ExpectedAccess.ParseLabel(scopes);
        var caller = await CreateAsync(held);
        var first = await CreateAsync(held);
        if (operation == KeyOperation.Enable)
        {
            await Api.WithKeysAsync(keys => keys.SetEnabledAsync(first.Key.Id, false, ApiFactory.Admin, reason: "set up"));
        }
        var before = await MatrixCell.SnapshotAsync(Db, first.Key.Id);
        var countBefore = await Api.WithDbAsync(db => db.ApiKeys.CountAsync());
        var client = Api.Client(caller.Secret);
        var url = $"/api/v2/keys/{first.Key.Id}";

        var response = operation switch
        {
            KeyOperation.List => await client.GetAsync("/api/v2/keys?limit=100"),
            KeyOperation.Get => await client.GetAsync(url),
            KeyOperation.Create => await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "made by a key", scopes = held })),
            KeyOperation.Edit => await client.PatchJsonAsync(url, new { name = "renamed by a key" }),
            KeyOperation.Enable => await client.PatchJsonAsync(url, new { enabled = true }),
            KeyOperation.Disable => await client.PatchJsonAsync(url, new { enabled = false }),
            KeyOperation.Regenerate => await client.PostAsync($"{url}/regenerate", null),
            KeyOperation.Delete => await client.DeleteAsync(url),
            KeyOperation.Verify => await client.PostAsync("/api/v2/verify", ApiJson.Body(new { key = first.Secret })),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        if (ExpectedAccess.ScopesMay(held, operation))
        {
            var expectedStatus = operation == KeyOperation.Create ? HttpStatusCode.Created : HttpStatusCode.OK;
            Assert.True(expectedStatus == response.StatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var result = await response.ResultAsync();
            var after = (await MatrixCell.SnapshotAsync(Db, first.Key.Id))[first.Key.Id];
            switch (operation)
            {
                case KeyOperation.List:
                    Assert.Contains(first.Key.Id, await ListAllAsync(client, result, await response.ReadAsync()));
                    break;
                case KeyOperation.Get:
                    Assert.Equal(first.Key.Id, result.GetProperty("id").GetString());
                    break;
                case KeyOperation.Create:
                    Assert.Equal(countBefore + 1, await Api.WithDbAsync(db => db.ApiKeys.CountAsync()));
                    break;
                case KeyOperation.Edit:
                    Assert.Equal("renamed by a key", after!.Name);
                    break;
                case KeyOperation.Enable:
                    Assert.True(after!.Enabled);
                    break;
                case KeyOperation.Disable:
                    Assert.False(after!.Enabled);
                    break;
                case KeyOperation.Regenerate:
                    Assert.NotEqual(before[first.Key.Id]!.KeyHash, after!.KeyHash);
                    break;
                case KeyOperation.Delete:
                    Assert.Null(after);
                    break;
                case KeyOperation.Verify:
                    Assert.Equal("VALID", result.GetProperty("code").GetString());
                    break;
            }
            Assert.Empty(await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id));
            return;
        }

        Assert.True(HttpStatusCode.Forbidden == response.StatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal([ExpectedAccess.RefusalCode(held, operation)], await response.ErrorCodesAsync());
        Assert.Equal(before, await MatrixCell.SnapshotAsync(Db, first.Key.Id));
        Assert.Equal(countBefore, await Api.WithDbAsync(db => db.ApiKeys.CountAsync()));
        var row = Assert.Single(await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id));
        MatrixCell.AssertRefusalRow(row, Actor.Key(caller.Key, null), ExpectedAccess.PermissionName(operation));
        Assert.Equal("127.0.0.1", row.ClientIp);
        Assert.False(string.IsNullOrEmpty(row.RequestId));
        Assert.Equal(row.RequestId, response.Headers.GetValues("X-Request-Id").Single());
    }

    [Theory]
    [MemberData(nameof(ScopeSets))]
    public async Task Every_key_may_read_itself_at_me_with_scopes_and_permissions_agreeing(string scopes)
    {
        var held = ExpectedAccess.ParseLabel(scopes);
        var caller = await CreateAsync(held);

        var me = await (await Api.Client(caller.Secret).GetAsync("/api/v2/me")).ResultAsync();

        Assert.Equal(caller.Key.Id, me.GetProperty("id").GetString());
        var shown = me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Equal(AccessTable.Canonical(held), shown);
        // Vidbeo's view: [] for a key that manages keys, ["fetch"] for any other.
        var permissions = me.GetProperty("permissions").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Equal(held.Contains("keys:manage") ? [] : ["fetch"], permissions);
        Assert.Empty(await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id));
    }

    [Fact]
    public async Task A_refused_key_learns_why_but_the_answer_holds_no_secret()
    {
        var caller = await CreateAsync(["read", "keys:read"]);
        var target = await CreateAsync(["read"]);

        var response = await Api.Client(caller.Secret).PostAsync($"/api/v2/keys/{target.Key.Id}/regenerate", null);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(caller.Secret, text);
        Assert.DoesNotContain(target.Secret, text);
        var message = (await response.ReadAsync()).GetProperty("errors")[0].GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        var row = Assert.Single(await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id));
        Assert.DoesNotContain(caller.Secret, JsonSerializer.Serialize(row));
    }

    /// <summary>Every id on every page, following links.next (the shared app holds more than a page of keys).</summary>
    private static async Task<List<string>> ListAllAsync(HttpClient client, JsonElement firstPage, JsonElement envelope)
    {
        var ids = firstPage.EnumerateArray().Select(k => k.GetProperty("id").GetString()!).ToList();
        var next = envelope.GetProperty("links") is { ValueKind: JsonValueKind.Object } links && links.TryGetProperty("next", out var n) ? n.GetString() : null;
        while (next is not null)
        {
            var page = await client.GetAsync(new Uri(next).PathAndQuery);
            var json = await page.ReadAsync();
            ids.AddRange(json.GetProperty("result").EnumerateArray().Select(k => k.GetProperty("id").GetString()!));
            next = json.GetProperty("links") is { ValueKind: JsonValueKind.Object } more && more.TryGetProperty("next", out var m) ? m.GetString() : null;
        }
        return ids;
    }

    private Task<IssuedKey> CreateAsync(IReadOnlyList<string> scopes, string[]? ips = null, DateTime? expires = null) =>
        Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft($"k {Guid.NewGuid():N}", false, ips ?? [], expires, scopes), ApiFactory.Admin));
}
