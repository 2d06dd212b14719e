using System.Net;
using System.Text.Json;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Api;

/// <summary>The OpenAPI document and Swagger UI that client authors and code generators work from.</summary>
public sealed class OpenApiTests
{
    [Fact]
    public async Task The_OpenAPI_document_lists_every_API_endpoint_with_its_methods()
    {
        var document = await DocumentAsync();

        var apiPaths = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal))
            .ToDictionary(p => p.Name, p => p.Value.EnumerateObject().Select(m => m.Name).Order().ToArray());

        Assert.Equal(
            new Dictionary<string, string[]>
            {
                ["/api/v2/keys"] = ["get", "post"],
                ["/api/v2/keys/{id}"] = ["delete", "get", "patch"],
                ["/api/v2/keys/{id}/regenerate"] = ["post"],
                ["/api/v2/me"] = ["get"],
                ["/api/v2/verify"] = ["post"],
                ["/api/v2/audit"] = ["get"],
            },
            apiPaths);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_both_ways_to_send_a_key_and_requires_one()
    {
        var document = await DocumentAsync();

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        var bearer = schemes.GetProperty("bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        var header = schemes.GetProperty("apiKeyHeader");
        Assert.Equal("apiKey", header.GetProperty("type").GetString());
        Assert.Equal("header", header.GetProperty("in").GetString());
        Assert.Equal("X-API-Key", header.GetProperty("name").GetString());

        // Either scheme satisfies the document-wide requirement: two alternatives, one scheme each.
        var requirements = document.GetProperty("security").EnumerateArray()
            .Select(r => string.Join("+", r.EnumerateObject().Select(s => s.Name)))
            .Order();
        Assert.Equal(["apiKeyHeader", "bearer"], requirements);
    }

    [Theory]
    [InlineData("/api/v2/keys", "post", "name,type,permissions,scopes,ips,expires_time")]
    [InlineData("/api/v2/keys/{id}", "patch", "name,permissions,scopes,ips,enabled,expires_time")]
    [InlineData("/api/v2/verify", "post", "key,ip")]
    public async Task Request_bodies_are_documented_with_their_snake_case_fields(string path, string method, string fields)
    {
        var document = await DocumentAsync();

        var body = document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("requestBody");
        Assert.True(body.GetProperty("required").GetBoolean());
        var schema = body.GetProperty("content").GetProperty("application/json").GetProperty("schema");
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }

        Assert.Equal(fields.Split(',').Order(), schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Swagger_UI_is_served_and_reads_the_apps_OpenAPI_document()
    {
        await using var api = new ApiFactory();
        using var client = api.Client();

        using var page = await client.GetAsync("/api-docs/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>KeysDashboard API</title>", html);
        Assert.Contains("id=\"swagger-ui\"", html);

        using var script = await client.GetAsync("/api-docs/index.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("/openapi/v1.json", await script.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> DocumentAsync()
    {
        await using var api = new ApiFactory();
        using var client = api.Client();
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = await response.ReadAsync();
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        return document;
    }

    [Fact]
    public async Task Only_the_api_is_in_the_document_not_the_sign_in_forms()
    {
        var document = await DocumentAsync();

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.NotEmpty(paths);
        Assert.All(paths, path => Assert.StartsWith("/api/v2/", path));
    }
}
