using System.Text.Json;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Api;

/// <summary>What /openapi/v1.json tells a client author beyond the shapes: parameters, headers, statuses.</summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();
    private JsonElement paths;
    private JsonElement document;

    public async ValueTask InitializeAsync()
    {
        using var client = api.Client();
        using var response = await client.GetAsync("/openapi/v1.json");
        document = await response.ReadAsync();
        paths = document.GetProperty("paths");
    }

    public ValueTask DisposeAsync() => api.DisposeAsync();

    [Theory]
    [InlineData("/api/v2/keys", "get", "query:limit,query:cursor")]
    [InlineData("/api/v2/keys", "post", "header:Idempotency-Key")]
    [InlineData("/api/v2/keys/{id}", "get", "path:id")]
    [InlineData("/api/v2/keys/{id}", "patch", "path:id,header:If-Match")]
    [InlineData("/api/v2/keys/{id}", "delete", "path:id,header:If-Match")]
    [InlineData("/api/v2/keys/{id}/regenerate", "post", "path:id,header:Idempotency-Key,header:If-Match")]
    [InlineData("/api/v2/me", "get", "")]
    [InlineData("/api/v2/verify", "post", "")]
    public void Each_operation_documents_the_parameters_it_reads(string path, string method, string parameters)
    {
        var operation = paths.GetProperty(path).GetProperty(method);
        var documented = operation.TryGetProperty("parameters", out var list)
            ? list.EnumerateArray().Select(p => $"{p.GetProperty("in").GetString()}:{p.GetProperty("name").GetString()}").Order().ToArray()
            : [];

        Assert.Equal(parameters.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), documented);
        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("description").GetString()));
    }

    [Theory]
    [InlineData("/api/v2/keys", "get", "200,400,401,403,429,500")]
    [InlineData("/api/v2/keys", "post", "201,400,401,403,409,413,415,422,429,500")]
    [InlineData("/api/v2/keys/{id}", "get", "200,401,403,404,429,500")]
    [InlineData("/api/v2/keys/{id}", "patch", "200,400,401,403,404,409,412,413,415,429,500")]
    [InlineData("/api/v2/keys/{id}", "delete", "200,400,401,403,404,409,412,429,500")]
    [InlineData("/api/v2/keys/{id}/regenerate", "post", "200,400,401,403,404,409,412,413,415,422,429,500")]
    [InlineData("/api/v2/me", "get", "200,401,403,429,500")]
    [InlineData("/api/v2/verify", "post", "200,400,401,403,413,415,429,500")]
    public void Each_operation_documents_only_the_statuses_it_can_answer(string path, string method, string statuses) =>
        Assert.Equal(statuses.Split(','), paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());

    [Fact]
    public void Answers_document_their_headers()
    {
        static string[] RequiredHeaders(JsonElement response) =>
            [.. response.GetProperty("headers").EnumerateObject().Where(h => h.Value.TryGetProperty("required", out var r) && r.GetBoolean()).Select(h => h.Name).Order()];

        var create = paths.GetProperty("/api/v2/keys").GetProperty("post").GetProperty("responses");
        Assert.Equal(["ETag", "Location", "X-Request-Id"], RequiredHeaders(create.GetProperty("201")));
        Assert.True(create.GetProperty("201").GetProperty("headers").TryGetProperty("Idempotent-Secret-Unavailable", out _));
        Assert.Equal(["WWW-Authenticate", "X-Request-Id"], RequiredHeaders(create.GetProperty("401")));
        Assert.Equal(["Retry-After", "X-Request-Id"], RequiredHeaders(create.GetProperty("429")));
    }

    [Fact]
    public void Servers_end_without_a_slash_and_info_names_contact_and_license()
    {
        Assert.All(document.GetProperty("servers").EnumerateArray(), s => Assert.False(s.GetProperty("url").GetString()!.EndsWith('/')));
        Assert.False(string.IsNullOrEmpty(document.GetProperty("info").GetProperty("contact").GetProperty("name").GetString()));
        Assert.False(string.IsNullOrEmpty(document.GetProperty("info").GetProperty("license").GetProperty("name").GetString()));
    }
}
