using KeysDashboard.Api;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KeysDashboard.Api;

/// <summary>Describes the API and both ways to send a key, and requires one on every operation.</summary>
internal sealed class ApiDocument : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "KeysDashboard API",
            Version = "v2",
            Description = "Manage and verify API keys. Compatible with the Vidbeo /v2/keys API. Responses use the envelope " +
                "{success, result, links, errors}; errors carry request_id, also sent as X-Request-Id on every response.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "Authorization: Bearer <key>",
        };
        document.Components.SecuritySchemes["apiKeyHeader"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "X-API-Key: <key>",
        };
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKeyHeader", document)] = [] },
        ];
        return Task.CompletedTask;
    }
}
