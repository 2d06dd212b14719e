using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Api;

/// <summary>
/// Real requests to every operation of /openapi/v1.json, each answer checked against the document itself: its
/// status is one the operation documents, its required headers are present, and its body is valid under the
/// JSON Schema (OpenAPI 3.1 is JSON Schema 2020-12) documented for that status.
/// </summary>
public sealed class OpenApiConformanceTests : IAsyncLifetime
{
    private readonly ApiFactory api = new(new Dictionary<string, string?> { ["Api:FailedAuthenticationsPerMinute"] = "5" });
    private readonly List<string> checkedAnswers = [];
    private JsonElement document;
    private HttpClient client = default!;

    public async ValueTask InitializeAsync()
    {
        using var anonymous = api.Client();
        using var response = await anonymous.GetAsync("/openapi/v1.json");
        document = await response.ReadAsync();
        client = api.Client((await api.CreateKeyAsync("Conformance")).Secret);
    }

    public ValueTask DisposeAsync() => api.DisposeAsync();

    [Fact]
    public async Task Every_operation_answers_as_the_document_says()
    {
        var readOnly = api.Client((await api.CreateKeyAsync("Read only", readOnly: true)).Secret);
        var elsewhere = api.Client((await api.CreateKeyAsync("Elsewhere", ips: ["192.0.2.1"])).Secret);
        var target = (await api.CreateKeyAsync("Target")).Key.Id;
        await api.CreateKeyAsync("Another");
        const string unknownId = "key_doesnotexist";

        // ListKeys
        var firstPage = await CheckAsync(client, HttpMethod.Get, "/api/v2/keys", "/api/v2/keys?limit=1", expected: 200);
        var next = new Uri(firstPage.GetProperty("links").GetProperty("next").GetString()!).PathAndQuery;
        await CheckAsync(client, HttpMethod.Get, "/api/v2/keys", next, expected: 200);
        await CheckAsync(client, HttpMethod.Get, "/api/v2/keys", "/api/v2/keys?limit=0", expected: 400);
        await CheckAsync(client, HttpMethod.Get, "/api/v2/keys", "/api/v2/keys?cursor=nonsense", expected: 400);
        await CheckAsync(elsewhere, HttpMethod.Get, "/api/v2/keys", "/api/v2/keys", expected: 403);
        await CheckAsync(api.Client(peer: "192.0.2.50"), HttpMethod.Get, "/api/v2/keys", "/api/v2/keys", expected: 401);

        // GetKey
        await CheckAsync(client, HttpMethod.Get, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", expected: 200);
        await CheckAsync(readOnly, HttpMethod.Get, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", expected: 200);
        await CheckAsync(client, HttpMethod.Get, "/api/v2/keys/{id}", $"/api/v2/keys/{unknownId}", expected: 404);

        // CreateKey
        const string body = """{"name":"Created","permissions":["fetch"],"ips":["10.0.0.0/8"],"expires_time":"2099-01-01T00:00:00Z"}""";
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys", "/api/v2/keys", body, expected: 201, idempotencyKey: "create-1");
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys", "/api/v2/keys", body, expected: 201, idempotencyKey: "create-1");
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys", "/api/v2/keys", """{"name":"Other"}""", expected: 422, idempotencyKey: "create-1");
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys", "/api/v2/keys", """{"name":""}""", expected: 400);
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys", "/api/v2/keys", """{"name":"x","ips":["010.0.0.1"]}""", expected: 400);
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys", "/api/v2/keys", "name=x", expected: 415, contentType: "text/plain");
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys", "/api/v2/keys", $$"""{"name":"{{new string('x', 70_000)}}"}""", expected: 413);
        await CheckAsync(readOnly, HttpMethod.Post, "/api/v2/keys", "/api/v2/keys", body, expected: 403);

        // UpdateKey
        await CheckAsync(client, HttpMethod.Patch, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", """{"name":"Renamed","expires_time":null}""", expected: 200);
        await CheckAsync(client, HttpMethod.Patch, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", """{"enabled":"yes"}""", expected: 400);
        await CheckAsync(client, HttpMethod.Patch, "/api/v2/keys/{id}", $"/api/v2/keys/{unknownId}", """{"name":"x"}""", expected: 404);
        await CheckAsync(client, HttpMethod.Patch, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", "x", expected: 415, contentType: "text/plain");
        await CheckAsync(readOnly, HttpMethod.Patch, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", """{"name":"x"}""", expected: 403);

        // RegenerateKey
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys/{id}/regenerate", $"/api/v2/keys/{target}/regenerate", expected: 200);
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys/{id}/regenerate", $"/api/v2/keys/{target}/regenerate",
            """{"grace_period_seconds":60}""", expected: 200, idempotencyKey: "rotate-1");
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys/{id}/regenerate", $"/api/v2/keys/{target}/regenerate",
            """{"grace_period_seconds":30}""", expected: 422, idempotencyKey: "rotate-1");
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys/{id}/regenerate", $"/api/v2/keys/{target}/regenerate",
            """{"grace_period_seconds":-1}""", expected: 400);
        await CheckAsync(client, HttpMethod.Post, "/api/v2/keys/{id}/regenerate", $"/api/v2/keys/{unknownId}/regenerate", expected: 404);
        await CheckAsync(readOnly, HttpMethod.Post, "/api/v2/keys/{id}/regenerate", $"/api/v2/keys/{target}/regenerate", expected: 403);

        // GetCallingKey
        await CheckAsync(client, HttpMethod.Get, "/api/v2/me", "/api/v2/me", expected: 200);
        await CheckAsync(api.Client("kd_not-a-key", peer: "192.0.2.51"), HttpMethod.Get, "/api/v2/me", "/api/v2/me", expected: 401);

        // VerifyKey, including NOT_FOUND (no key in the answer) and a read-only caller
        var verified = (await api.CreateKeyAsync("Verified", ips: ["203.0.113.0/24"])).Secret;
        await CheckAsync(readOnly, HttpMethod.Post, "/api/v2/verify", "/api/v2/verify", JsonSerializer.Serialize(new { key = verified, ip = "203.0.113.9" }), expected: 200);
        await CheckAsync(client, HttpMethod.Post, "/api/v2/verify", "/api/v2/verify", JsonSerializer.Serialize(new { key = verified, ip = "198.51.100.1" }), expected: 200);
        var notFound = await CheckAsync(client, HttpMethod.Post, "/api/v2/verify", "/api/v2/verify", """{"key":"kd_unknown"}""", expected: 200);
        Assert.Equal("NOT_FOUND", notFound.GetProperty("result").GetProperty("code").GetString());
        await CheckAsync(client, HttpMethod.Post, "/api/v2/verify", "/api/v2/verify", """{"key":"kd_x","ip":"010.0.0.1"}""", expected: 400);
        await CheckAsync(client, HttpMethod.Post, "/api/v2/verify", "/api/v2/verify", "key", expected: 415, contentType: "text/plain");

        // DeleteKey
        await CheckAsync(readOnly, HttpMethod.Delete, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", expected: 403);
        await CheckAsync(client, HttpMethod.Delete, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", expected: 200);
        await CheckAsync(client, HttpMethod.Delete, "/api/v2/keys/{id}", $"/api/v2/keys/{target}", expected: 404);

        // ListAuditEntries: a key with audit:read reads the log; a bad filter is 400; a key without the scope 403.
        var auditor = api.Client((await api.WithKeysAsync(k => k.CreateAsync(new KeysDashboard.Keys.KeyDraft("Auditor", false, [], null, ["audit:read"]), ApiFactory.Admin))).Secret);
        await CheckAsync(auditor, HttpMethod.Get, "/api/v2/audit", "/api/v2/audit?limit=2", expected: 200);
        await CheckAsync(auditor, HttpMethod.Get, "/api/v2/audit", "/api/v2/audit?outcome=maybe", expected: 400);
        await CheckAsync(client, HttpMethod.Get, "/api/v2/audit", "/api/v2/audit", expected: 403);

        // An address that keeps failing is limited, on any operation.
        using var guesser = api.Client("kd_guess", peer: "192.0.2.77");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await CheckAsync(guesser, HttpMethod.Get, "/api/v2/me", "/api/v2/me", expected: 401);
        }
        await CheckAsync(guesser, HttpMethod.Get, "/api/v2/me", "/api/v2/me", expected: 429);

        // Every documented operation was exercised, each with a success.
        var operations = Operations().Select(o => $"{o.Method} {o.Path}").Order();
        Assert.Equal(operations, checkedAnswers.Select(a => a[..a.LastIndexOf(' ')]).Distinct().Order());
        Assert.All(operations, operation => Assert.Contains(checkedAnswers, a => a.StartsWith(operation + " 2", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_verify_NOT_FOUND_answer_without_a_key_is_valid_under_its_schema()
    {
        // What the server sends for an unknown key: no key property at all.
        var answer = """{"success":true,"result":{"valid":false,"code":"NOT_FOUND"},"links":null,"errors":[]}""";
        Assert.Empty(Validate(ResponseSchema("/api/v2/verify", "post", "200"), answer));
        // The schema is not a rubber stamp: a result without code is not valid.
        Assert.NotEmpty(Validate(ResponseSchema("/api/v2/verify", "post", "200"), """{"success":true,"result":{"valid":false},"links":null,"errors":[]}"""));
    }

    private async Task<JsonElement> CheckAsync(HttpClient caller, HttpMethod method, string path, string url, string? body = null,
        int expected = 200, string? idempotencyKey = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        using var response = await caller.SendAsync(request, TestContext.Current.CancellationToken);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var what = $"{method} {url} answered {status}: {text[..Math.Min(text.Length, 500)]}";
        Assert.True(status == expected, $"Expected {expected}. {what}");

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method.Method.ToLowerInvariant());
        Assert.True(operation.GetProperty("responses").TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var documented),
            $"{status} is not documented for {method} {path}. {what}");
        if (documented.TryGetProperty("headers", out var headers))
        {
            foreach (var header in headers.EnumerateObject().Where(h => h.Value.TryGetProperty("required", out var r) && r.GetBoolean()))
            {
                Assert.True(response.Headers.Contains(header.Name) || response.Content.Headers.Contains(header.Name),
                    $"The documented header {header.Name} is missing. {what}");
            }
        }
        if (documented.TryGetProperty("content", out var content))
        {
            var mediaType = content.EnumerateObject().Single();
            Assert.Equal(mediaType.Name, response.Content.Headers.ContentType?.MediaType);
            var errors = Validate(mediaType.Value.GetProperty("schema"), text);
            Assert.True(errors.Count == 0, $"The body does not match the documented schema: {string.Join("; ", errors)}. {what}");
        }
        checkedAnswers.Add($"{method.Method.ToLowerInvariant()} {path} {status}");
        return text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
    }

    private IEnumerable<(string Path, string Method)> Operations() =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (p.Name, m.Name)));

    private JsonElement ResponseSchema(string path, string method, string status) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status)
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");

    /// <summary>
    /// Validates <paramref name="json"/> against an OpenAPI schema, its $refs to #/components/schemas resolved by
    /// carrying the document's schemas along as definitions.
    /// </summary>
    private List<string> Validate(JsonElement schema, string json)
    {
        static JsonNode Rewrite(JsonElement element) =>
            JsonNode.Parse(element.GetRawText().Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal))!;

        var root = (JsonObject)Rewrite(schema);
        root["definitions"] = Rewrite(document.GetProperty("components").GetProperty("schemas"));
        var validator = NJsonSchema.JsonSchema.FromJsonAsync(root.ToJsonString()).GetAwaiter().GetResult();
        return [.. validator.Validate(json).Select(e => e.ToString())];
    }
}
