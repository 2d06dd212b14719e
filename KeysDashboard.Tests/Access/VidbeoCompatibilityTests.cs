using System.Net;
using System.Text.Json;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Access;

/// <summary>
/// Vidbeo's clients know only <c>permissions</c>: [] (read/write management) and ["fetch"] (read-only). They keep
/// working, and what they see agrees with the scopes the key really has.
/// </summary>
public sealed class VidbeoCompatibilityTests(MatrixApp app) : IClassFixture<MatrixApp>
{
    private ApiFactory Api => app.Api;

    [Fact]
    public async Task A_legacy_key_creating_with_permissions_empty_hands_on_its_own_scopes()
    {
        // A key as part 1 made it: no scopes asked, so write + verify + keys:manage.
        var legacy = await Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("legacy rw", false, [], null), ApiFactory.Admin));
        Assert.Equal(["write", "verify", "keys:manage"], legacy.Key.Scopes);

        var created = await CreateAsync(legacy, new { name = "vidbeo rw", permissions = Array.Empty<string>() });

        Assert.Empty(Strings(created, "permissions"));
        Assert.Equal(["write", "verify", "keys:manage"], Strings(created, "scopes"));
        await AssertGetAgreesAsync(legacy, created, [], ["write", "verify", "keys:manage"]);
    }

    [Fact]
    public async Task A_legacy_key_creating_without_scopes_or_permissions_hands_on_its_own_scopes()
    {
        var legacy = await Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("legacy rw", false, [], null), ApiFactory.Admin));

        var created = await CreateAsync(legacy, new { name = "nothing said" });

        Assert.Equal(["write", "verify", "keys:manage"], Strings(created, "scopes"));
        Assert.Empty(Strings(created, "permissions"));
    }

    [Fact]
    public async Task Fetch_gives_read_only_management_and_caps_write_at_read()
    {
        var legacy = await Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("legacy rw", false, [], null), ApiFactory.Admin));

        var created = await CreateAsync(legacy, new { name = "vidbeo ro", permissions = new[] { "fetch" } });

        Assert.Equal(["fetch"], Strings(created, "permissions"));
        Assert.Equal(["read", "verify", "keys:read"], Strings(created, "scopes"));
        await AssertGetAgreesAsync(legacy, created, ["fetch"], ["read", "verify", "keys:read"]);
        // And it really is read-only: it can list, not create.
        var client = Api.Client(created.GetProperty("value").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v2/keys")).StatusCode);
        var refused = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "from a read-only key" }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(["read_only_key"], await refused.ErrorCodesAsync());
    }

    [Fact]
    public async Task Fetch_caps_an_admin_caller_at_read_too()
    {
        var caller = await Api.WithKeysAsync(keys =>
            keys.CreateAsync(new KeyDraft("admin manager", false, [], null, ["admin", "keys:manage", "audit:read"]), ApiFactory.Admin));

        var created = await CreateAsync(caller, new { name = "capped", permissions = new[] { "fetch" } });

        Assert.Equal(["fetch"], Strings(created, "permissions"));
        Assert.Equal(["read", "keys:read", "audit:read"], Strings(created, "scopes"));
    }

    [Fact]
    public async Task A_read_only_legacy_key_reads_as_fetch_with_its_migrated_scopes()
    {
        var legacy = await Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("legacy ro", true, [], null), ApiFactory.Admin));

        var me = await (await Api.Client(legacy.Secret).GetAsync("/api/v2/me")).ResultAsync();

        Assert.Equal(["fetch"], Strings(me, "permissions"));
        Assert.Equal(["read", "verify", "keys:read"], Strings(me, "scopes"));
    }

    [Fact]
    public async Task Patch_fetch_turns_a_managing_key_read_only_and_get_shows_both_views_agreeing()
    {
        var caller = await Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("manager", false, [], null), ApiFactory.Admin));
        var target = await Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("to narrow", false, [], null), ApiFactory.Admin));
        var client = Api.Client(caller.Secret);

        var narrowed = await (await client.PatchJsonAsync($"/api/v2/keys/{target.Key.Id}", new { permissions = new[] { "fetch" } })).ResultAsync();
        Assert.Equal(["fetch"], Strings(narrowed, "permissions"));
        Assert.Equal(["read", "verify", "keys:read"], Strings(narrowed, "scopes"));

        // [] gives management back; the protected API's level stays where ["fetch"] put it.
        var widened = await (await client.PatchJsonAsync($"/api/v2/keys/{target.Key.Id}", new { permissions = Array.Empty<string>() })).ResultAsync();
        Assert.Empty(Strings(widened, "permissions"));
        Assert.Equal(["read", "verify", "keys:manage"], Strings(widened, "scopes"));
    }

    [Theory]
    [InlineData("""{"name":"both","scopes":["read"],"permissions":[]}""", "conflicting_fields")]
    [InlineData("""{"name":"both","scopes":["read"],"permissions":["fetch"]}""", "conflicting_fields")]
    [InlineData("""{"name":"unknown","scopes":["read","root"]}""", "invalid_scope")]
    [InlineData("""{"name":"unknown","scopes":["Keys:Manage"]}""", "invalid_scope")]
    [InlineData("""{"name":"unknown","permissions":["write"]}""", "invalid_permission")]
    public async Task Scopes_and_permissions_together_or_unknown_names_are_400_and_create_nothing(string body, string code)
    {
        var caller = await Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("manager", false, [], null), ApiFactory.Admin));
        var target = await Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("target", false, [], null, ["read"]), ApiFactory.Admin));
        var client = Api.Client(caller.Secret);

        var created = await client.PostAsync("/api/v2/keys", ApiJson.Body(body));
        var patched = await client.PatchAsync($"/api/v2/keys/{target.Key.Id}", ApiJson.Body(body.Replace("\"name\":\"both\",", "").Replace("\"name\":\"unknown\",", "")));

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains(code, await created.ErrorCodesAsync());
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.Contains(code, await patched.ErrorCodesAsync());
        Assert.Equal(0, await Api.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.ApiKeys, k => k.CreatedBy == caller.Key.Id)));
        Assert.Equal(["read"], (await Api.WithKeysAsync(keys => keys.FindAsync(target.Key.Id, ApiFactory.Admin)))!.Scopes);
    }

    private async Task<JsonElement> CreateAsync(IssuedKey caller, object body)
    {
        var response = await Api.Client(caller.Secret).PostAsync("/api/v2/keys", ApiJson.Body(body));
        Assert.True(HttpStatusCode.Created == response.StatusCode, await response.Content.ReadAsStringAsync());
        return await response.ResultAsync();
    }

    private async Task AssertGetAgreesAsync(IssuedKey caller, JsonElement created, string[] permissions, string[] scopes)
    {
        var id = created.GetProperty("id").GetString()!;
        var fetched = await (await Api.Client(caller.Secret).GetAsync($"/api/v2/keys/{id}")).ResultAsync();
        Assert.Equal(permissions, Strings(fetched, "permissions"));
        Assert.Equal(scopes, Strings(fetched, "scopes"));
        var me = await (await Api.Client(created.GetProperty("value").GetString()!).GetAsync("/api/v2/me")).ResultAsync();
        Assert.Equal(permissions, Strings(me, "permissions"));
        Assert.Equal(scopes, Strings(me, "scopes"));
    }

    private static string[] Strings(JsonElement json, string property) =>
        [.. json.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
}
