using System.Net;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Api;

public sealed class OpenApiTests
{
    [Fact]
    public async Task The_document_describes_every_endpoint_body_and_both_ways_to_send_a_key()
    {
        await using var api = new ApiFactory();

        var document = await (await api.Client().GetAsync("/openapi/v1.json")).ReadAsync();

        var paths = document.GetProperty("paths");
        (string Path, string Method)[] expected =
        [
            ("/api/v2/keys", "get"), ("/api/v2/keys", "post"),
            ("/api/v2/keys/{id}", "get"), ("/api/v2/keys/{id}", "patch"), ("/api/v2/keys/{id}", "delete"),
            ("/api/v2/keys/{id}/regenerate", "post"), ("/api/v2/me", "get"), ("/api/v2/verify", "post"),
        ];
        foreach (var (path, method) in expected)
        {
            Assert.True(paths.GetProperty(path).TryGetProperty(method, out var operation), $"{method} {path} is missing");
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{method} {path} has no 401");
        }
        Assert.True(paths.GetProperty("/api/v2/keys").GetProperty("post").TryGetProperty("requestBody", out _));
        Assert.True(paths.GetProperty("/api/v2/keys/{id}").GetProperty("patch").TryGetProperty("requestBody", out _));
        Assert.False(paths.TryGetProperty("/Account/Logout", out _));

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal("X-API-Key", schemes.GetProperty("apiKeyHeader").GetProperty("name").GetString());
        Assert.Equal("header", schemes.GetProperty("apiKeyHeader").GetProperty("in").GetString());
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("KeyResource", out var key));
        Assert.True(key.GetProperty("properties").TryGetProperty("last_used_time", out _));
    }

    [Fact]
    public async Task The_reference_page_is_served_by_the_app()
    {
        await using var api = new ApiFactory();

        var page = await api.Client().GetAsync("/api-docs/index.html");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
