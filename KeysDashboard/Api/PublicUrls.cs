using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace KeysDashboard.Api;

/// <summary>The `PublicBaseUrl` setting: the address clients use, e.g. https://keys.example.com.</summary>
internal sealed class PublicUrlOptions
{
    public string? PublicBaseUrl { get; set; }

    public static bool IsValid(string? value) =>
        string.IsNullOrEmpty(value) ||
        (Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment));
}

/// <summary>
/// Absolute links the API hands out (links.next, the OpenAPI servers entry). With PublicBaseUrl set they use it,
/// never the request's Host header, which the client chooses; without it they fall back to the request.
/// </summary>
internal sealed class PublicUrls(IOptions<PublicUrlOptions> options)
{
    private readonly string? configured = options.Value.PublicBaseUrl is { Length: > 0 } url ? url.TrimEnd('/') : null;

    /// <summary>The base URL without a trailing slash.</summary>
    public string BaseUrl(HttpRequest request) =>
        configured ?? $"{request.Scheme}://{request.Host}{request.PathBase}";

    public static void AddTo(IServiceCollection services)
    {
        services.AddOptions<PublicUrlOptions>()
            .Configure<IConfiguration>((options, configuration) => options.PublicBaseUrl = configuration["PublicBaseUrl"])
            .Validate(options => PublicUrlOptions.IsValid(options.PublicBaseUrl),
                "PublicBaseUrl must be an absolute http or https URL without query, such as https://keys.example.com.")
            .ValidateOnStart();
        services.AddSingleton<PublicUrls>();
    }
}

/// <summary>With PublicBaseUrl set, the API document names that server, not the one in the request's Host header.</summary>
internal sealed class PublicServerUrl(IOptions<PublicUrlOptions> options) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (options.Value.PublicBaseUrl is { Length: > 0 } url)
        {
            document.Servers = [new OpenApiServer { Url = url.TrimEnd('/') }];
        }
        return Task.CompletedTask;
    }
}
