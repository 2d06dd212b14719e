using System.Net;
using System.Text;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Api;

/// <summary>Whatever a client sends, it gets a clear 4xx naming the problem, nothing is changed, and never a 500.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();
    private HttpClient client = default!;
    private string keyId = "";

    public async ValueTask InitializeAsync()
    {
        var caller = await api.CreateKeyAsync("Integration");
        keyId = caller.Key.Id;
        client = api.Client(caller.Secret);
    }

    public ValueTask DisposeAsync() => api.DisposeAsync();

    [Theory]
    [InlineData("""{"name": """, "invalid_json")]
    [InlineData("""{"name": "x",}""", "invalid_json")]
    [InlineData("""["name"]""", "invalid_body")]
    [InlineData("\"just a string\"", "invalid_body")]
    public async Task Malformed_json_gets_400(string body, string code)
    {
        var response = await client.PostAsync("/api/v2/keys", ApiJson.Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([code], await response.ErrorCodesAsync());
        Assert.Equal(1, await api.WithDbAsync(db => db.ApiKeys.CountAsync()));
    }

    [Fact]
    public async Task Every_bad_field_of_a_create_gets_its_own_error()
    {
        var response = await client.PostAsync("/api/v2/keys", ApiJson.Body("""
            {"type": "video", "name": "", "permissions": ["admin"], "ips": ["10.0.0.1/8", "not-an-ip"], "expires_time": "tomorrow", "colour": "blue"}
            """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var fields = await response.ErrorFieldsAsync();
        Assert.Equal(["colour", "expires_time", "ips", "ips", "name", "permissions", "type"], fields.Order());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("10.0.0.1/8", text);
        Assert.Contains("not-an-ip", text);
        Assert.Equal(1, await api.WithDbAsync(db => db.ApiKeys.CountAsync()));
    }

    [Theory]
    [InlineData("""{"name": 5}""", "name")]
    [InlineData("""{"name": "x", "permissions": "fetch"}""", "permissions")]
    [InlineData("""{"name": "x", "permissions": [1]}""", "permissions")]
    [InlineData("""{"name": "x", "ips": "1.2.3.4"}""", "ips")]
    [InlineData("""{"name": "x", "ips": [null]}""", "ips")]
    [InlineData("""{"name": "x", "type": 1}""", "type")]
    [InlineData("""{"name": "x", "expires_time": 20300101}""", "expires_time")]
    public async Task Wrong_types_are_400_naming_the_field(string body, string field)
    {
        var response = await client.PostAsync("/api/v2/keys", ApiJson.Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ErrorFieldsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("123456789012345678901234567890123456789012345678901")]
    public async Task Names_must_be_1_to_50_characters(string name)
    {
        var response = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["name"], await response.ErrorFieldsAsync());
    }

    [Theory]
    [InlineData("evil\u0000name")]
    [InlineData("\u0007beep")]
    [InlineData("\u001b[2Jcleared")]
    [InlineData("abc\u202Egpj.exe")]
    public async Task Names_with_control_or_bidi_characters_are_refused_on_create_and_patch(string name)
    {
        var target = (await api.CreateKeyAsync("Target")).Key.Id;

        var created = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name }));
        var patched = await client.PatchJsonAsync($"/api/v2/keys/{target}", new { name });

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal(["name"], await created.ErrorFieldsAsync());
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.Equal(["name"], await patched.ErrorFieldsAsync());
        Assert.Equal("Target", (await api.WithKeysAsync(k => k.FindAsync(target, ApiFactory.Admin)))!.Name);
        Assert.Equal(2, await api.WithDbAsync(db => db.ApiKeys.CountAsync()));
    }

    [Fact]
    public async Task A_name_is_required()
    {
        var response = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { type = "api" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["name"], await response.ErrorFieldsAsync());
    }

    [Fact]
    public async Task An_expiry_in_the_past_is_refused()
    {
        var response = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "x", expires_time = "2001-01-01T00:00:00Z" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["expires_time"], await response.ErrorFieldsAsync());
    }

    [Theory]
    [InlineData("""{"nmae": "typo"}""", "nmae")]
    [InlineData("""{"name": "ok", "value": "kd_chosen"}""", "value")]
    [InlineData("""{"id": "x"}""", "id")]
    [InlineData("""{"enabled": "yes"}""", "enabled")]
    [InlineData("""{"ips": ["10.0.0.1/8"]}""", "ips")]
    [InlineData("""{"permissions": ["fetch", "write"]}""", "permissions")]
    public async Task Patch_refuses_unknown_fields_and_bad_values_and_changes_nothing(string body, string field)
    {
        var before = await api.WithKeysAsync(k => k.FindAsync(keyId, ApiFactory.Admin));

        var response = await client.PatchAsync($"/api/v2/keys/{keyId}", ApiJson.Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.ErrorFieldsAsync());
        var after = await api.WithKeysAsync(k => k.FindAsync(keyId, ApiFactory.Admin));
        Assert.Equal((before!.Name, before.Enabled, before.ReadOnly, before.UpdatedAt), (after!.Name, after.Enabled, after.ReadOnly, after.UpdatedAt));
    }

    [Fact]
    public async Task An_empty_patch_is_refused()
    {
        var response = await client.PatchAsync($"/api/v2/keys/{keyId}", ApiJson.Body("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["empty_update"], await response.ErrorCodesAsync());
    }

    [Theory]
    [InlineData("""{"grace_period_seconds": -1}""")]
    [InlineData("""{"grace_period_seconds": 86401}""")]
    [InlineData("""{"grace_period_seconds": "3600"}""")]
    [InlineData("""{"grace_period_seconds": 1.5}""")]
    [InlineData("""{"grace": 60}""")]
    public async Task Regenerate_refuses_a_bad_grace_period_and_keeps_the_secret(string body)
    {
        var target = await api.CreateKeyAsync("target");

        var response = await client.PostAsync($"/api/v2/keys/{target.Key.Id}/regenerate", ApiJson.Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(target.Secret).GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_415()
    {
        var response = await client.PostAsync("/api/v2/keys", new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(["unsupported_media_type"], await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task An_oversized_body_gets_413()
    {
        var huge = "{\"name\": \"" + new string('x', 70 * 1024) + "\"}";

        var response = await client.PostAsync("/api/v2/keys", ApiJson.Body(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(["payload_too_large"], await response.ErrorCodesAsync());
    }

    [Fact]
    public async Task A_wrong_method_gets_405_and_an_unknown_path_404_both_as_envelopes()
    {
        var put = await client.PutAsync("/api/v2/keys", ApiJson.Body("{}"));
        var nowhere = await client.GetAsync("/api/v2/widgets");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        Assert.Equal(["method_not_allowed"], await put.ErrorCodesAsync());
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
        Assert.Equal(["not_found"], await nowhere.ErrorCodesAsync());
    }

    [Fact]
    public async Task Verify_needs_a_key_and_a_valid_ip()
    {
        var missing = await client.PostAsync("/api/v2/verify", ApiJson.Body(new { ip = "1.2.3.4" }));
        var badIp = await client.PostAsync("/api/v2/verify", ApiJson.Body(new { key = "kd_x", ip = "999.1.1.1" }));

        Assert.Equal(["key"], await missing.ErrorFieldsAsync());
        Assert.Equal(["ip"], await badIp.ErrorFieldsAsync());
    }

    [Fact]
    public async Task Nothing_a_client_sends_gets_a_500_or_a_stack_trace()
    {
        string[] bodies =
        [
            "", "{", "}", "null", "[]", "0", "\"\"", "{\"name\":null}", "{\"name\":{}}", "{\"name\":[]}",
            "{\"name\":\"\\u0000\"}", "{\"name\":\"x\",\"ips\":[\"\"]}", "{\"name\":\"x\",\"ips\":[\"::ffff:1.2.3.4/200\"]}",
            "{\"name\":\"x\",\"expires_time\":\"9999-12-31T23:59:59Z\"}", "{\"name\":\"x\",\"expires_time\":\"0001-01-01T00:00:00Z\"}",
            "{\"grace_period_seconds\":1e400}", "{\"name\":\"" + new string('é', 60) + "\"}", new string('[', 5000),
            "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 101),
        ];
        // A separate target, so that a DELETE in the barrage does not remove the calling key.
        var target = (await api.CreateKeyAsync("target")).Key.Id;
        string[] paths = ["/api/v2/keys", $"/api/v2/keys/{target}", $"/api/v2/keys/{target}/regenerate", "/api/v2/verify", "/api/v2/keys/..%2F..%2F", "/api/v2/keys/%E2%80%AE"];
        HttpMethod[] methods = [HttpMethod.Post, HttpMethod.Patch, HttpMethod.Get, HttpMethod.Delete];

        foreach (var path in paths)
        {
            foreach (var method in methods)
            {
                foreach (var body in bodies)
                {
                    var request = new HttpRequestMessage(method, path) { Content = ApiJson.Body(body) };
                    var response = await client.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True((int)response.StatusCode < 500, $"{method} {path} {body[..Math.Min(body.Length, 40)]} -> {(int)response.StatusCode} {text}");
                    Assert.DoesNotContain("   at ", text);
                    Assert.DoesNotContain("Exception", text);
                }
            }
        }
        Assert.NotNull(await api.WithKeysAsync(k => k.FindAsync(keyId, ApiFactory.Admin)));
    }
}
