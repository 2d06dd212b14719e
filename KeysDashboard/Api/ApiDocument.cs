using System.Reflection;
using System.Text.Json.Serialization;
using KeysDashboard.Api;
using KeysDashboard.Idempotency;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KeysDashboard.Api;

/// <summary>
/// Describes the API and both ways to send a key, requires one on every operation, and adds what endpoint
/// metadata cannot say: the headers every answer of a status carries (X-Request-Id, WWW-Authenticate on 401,
/// Retry-After on 429, Location on 201, ETag on a key).
/// </summary>
internal sealed class ApiDocument : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        // The generator ends the URL with the path base's "/"; paths start with "/" already.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/') is { Length: > 0 } url ? url : "/";
        }
        document.Info = new OpenApiInfo
        {
            Title = "KeysDashboard API",
            Version = "v2",
            Description = "Manage and verify API keys. Compatible with the Vidbeo /v2/keys API. Responses use the envelope " +
                "{success, result, links, errors}; errors carry request_id, also sent as X-Request-Id on every response.",
            // A self-hosted service: whoever runs this installation answers for it, on its dashboard.
            Contact = new OpenApiContact
            {
                Name = "The administrators of this KeysDashboard",
                Url = document.Servers is [{ Url: { } serverUrl }, ..] && Uri.TryCreate(serverUrl, UriKind.Absolute, out var dashboard) ? dashboard : null,
            },
            License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
        };
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "Keys", Description = "API keys: create, list, change, rotate, delete, and verify them for other services." },
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

        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            foreach (var (status, response) in operation.Responses ?? new OpenApiResponses())
            {
                if (response is OpenApiResponse concrete)
                {
                    DescribeResponse(status, concrete);
                    if (status is "200" or "201" && operation.Parameters?.Any(p => p.Name == IdempotentRequests.HeaderName) == true)
                    {
                        concrete.Headers!["Idempotent-Replayed"] = Header(
                            "true when this is the remembered answer to an earlier request with the same Idempotency-Key.", required: false);
                        concrete.Headers[IdempotentRequests.SecretUnavailableHeader] = Header(
                            "true when a replayed answer cannot include the secret (the server restarted since, and secrets are never " +
                            "stored): value is null; regenerate the key to get a new one.", required: false);
                    }
                }
            }
        }
        return Task.CompletedTask;
    }

    private static void DescribeResponse(string status, OpenApiResponse response)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers["X-Request-Id"] = Header("The id of this request, also in an error's request_id; quote it when reporting a problem.");
        switch (status)
        {
            case "201":
                response.Headers["Location"] = Header("The URL of the created key.");
                break;
            case "401":
                response.Headers["WWW-Authenticate"] = Header("The Bearer challenge (RFC 6750), with the reason the key was refused.");
                break;
            case "429":
                response.Headers["Retry-After"] = Header("Seconds to wait before trying again.", JsonSchemaType.Integer);
                break;
        }
        if (status is "200" or "201" && response.Content?.Values.FirstOrDefault()?.Schema is OpenApiSchemaReference { Reference.Id: "ApiEnvelopeOfKeyResource" })
        {
            response.Headers["ETag"] = Header("The key's version; send it back as If-Match to change the key only if nobody else has since.");
        }
        response.Description = status switch
        {
            "400" => "The request is not valid; errors name each problem and the field at fault.",
            "401" => "No API key, or one that is malformed, unknown, disabled or expired.",
            "403" => "The key may not be used from this address, or a read-only key sent a write.",
            "404" => "No key with that id.",
            "409" => "Another request is busy with the same thing (the same Idempotency-Key, or changes to the same key); retry shortly.",
            "412" => "If-Match does not match the key's current ETag: someone changed the key since you read it.",
            "413" => $"The body is larger than {JsonBody.MaxBytes / 1024} KiB.",
            "415" => "The body is not sent as application/json.",
            "422" => "This Idempotency-Key was already used with a different request.",
            "429" => "Too many requests with this key, or too many failed authentications from this address.",
            "500" => "An unexpected failure; the envelope carries the request_id to quote.",
            _ => response.Description,
        };
    }

    private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String, bool required = true) => new()
    {
        Description = description,
        Required = required,
        Schema = new OpenApiSchema { Type = type },
    };
}

/// <summary>
/// Makes schemas say what the JSON is: a property left out when null (a null <c>key</c> in a verify answer) is not
/// required, a request field is required only when its type cannot be null, and numbers are numbers (the web
/// defaults would also allow a string, which the API does not read).
/// </summary>
internal sealed class ApiSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type == typeof(int) || type == typeof(long))
        {
            schema.Type &= ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (schema.Required is not { Count: > 0 } required)
        {
            return Task.CompletedTask;
        }
        var isRequest = context.JsonTypeInfo.Type.Name.EndsWith("Request", StringComparison.Ordinal);
        var nullability = new NullabilityInfoContext();
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            var omittedWhenNull = property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
                .OfType<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.WhenWritingNull) == true;
            var mayBeNull = property.AttributeProvider is PropertyInfo info && nullability.Create(info).WriteState != NullabilityState.NotNull;
            if (omittedWhenNull || (isRequest && mayBeNull))
            {
                required.Remove(property.Name);
            }
        }
        if (isRequest)
        {
            // Each endpoint refuses a field it does not know.
            schema.AdditionalPropertiesAllowed = false;
        }
        return Task.CompletedTask;
    }
}

/// <summary>Parameters that handlers read from the request themselves, so that the generator cannot see.</summary>
internal static class ApiDocumentConventions
{
    public static RouteHandlerBuilder WithQueryParameter(this RouteHandlerBuilder builder, string name, string description, OpenApiSchema schema) =>
        builder.WithParameter(new OpenApiParameter { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema });

    public static RouteHandlerBuilder WithHeaderParameter(this RouteHandlerBuilder builder, string name, string description, OpenApiSchema schema) =>
        builder.WithParameter(new OpenApiParameter { Name = name, In = ParameterLocation.Header, Description = description, Schema = schema });

    private static RouteHandlerBuilder WithParameter(this RouteHandlerBuilder builder, OpenApiParameter parameter) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(parameter);
            return Task.CompletedTask;
        });
}
