using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace KeysDashboard.Api;

/// <summary>
/// Reads a JSON object body strictly: the right content type, at most <see cref="MaxBytes"/>, well-formed, an
/// object. Anything else becomes a clear 400, 413 or 415 instead of a framework error page.
/// </summary>
internal static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public sealed record Outcome(JsonElement? Body, IResult? Error, byte[] Raw);

    public static async Task<Outcome> ReadObjectAsync(HttpContext context, bool optional = false)
    {
        var request = context.Request;
        var empty = request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any());
        if (empty)
        {
            return optional
                ? new Outcome(null, null, [])
                : new Outcome(null, ApiResults.Error(context, 400, new ApiError("body_required", "This request needs a JSON object body.")), []);
        }

        if (!IsJson(request.ContentType))
        {
            return new Outcome(null, ApiResults.Error(context, 415,
                new ApiError("unsupported_media_type", "Send the body as JSON with 'Content-Type: application/json'.")), []);
        }
        if (request.ContentLength > MaxBytes)
        {
            return new Outcome(null, TooLarge(context), []);
        }

        var raw = await ReadAtMostAsync(request.Body, MaxBytes + 1, context.RequestAborted);
        if (raw.Length > MaxBytes)
        {
            return new Outcome(null, TooLarge(context), []);
        }
        if (raw.Length == 0 && optional)
        {
            return new Outcome(null, null, []);
        }

        try
        {
            using var document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new Outcome(null, ApiResults.Error(context, 400, new ApiError("invalid_body", "The body must be a JSON object.")), raw);
            }
            if (!HasOnlyReadableText(document.RootElement))
            {
                return new Outcome(null, ApiResults.Error(context, 400, new ApiError("invalid_json",
                    "The body is not valid JSON: a string or property name holds invalid UTF-8 or a lone surrogate (\\ud800 to \\udfff).")), raw);
            }
            return new Outcome(document.RootElement.Clone(), null, raw);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            return new Outcome(null, ApiResults.Error(context, 400, new ApiError("invalid_json", $"The body is not valid JSON{where}.")), raw);
        }
    }

    // JsonDocument.Parse checks the structure but not what strings hold: invalid UTF-8 and escaped lone
    // surrogates only throw (InvalidOperationException) when a string is read, deep inside a handler or the
    // idempotency hash. Reading every one here, once, means nothing downstream can meet one.
    private static bool HasOnlyReadableText(JsonElement element)
    {
        try
        {
            return Readable(element);
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static bool Readable(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Readable(item);
                    }
                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Readable(property.Value);
                    }
                    return true;
                default:
                    return true;
            }
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType) &&
        (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         mediaType.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    private static IResult TooLarge(HttpContext context) =>
        ApiResults.Error(context, 413, new ApiError("payload_too_large", $"The body must be at most {MaxBytes / 1024} KiB."));

    private static async Task<byte[]> ReadAtMostAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while (buffer.Length < limit && (read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - buffer.Length)), cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
