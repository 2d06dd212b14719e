using System.Globalization;
using System.Text;

namespace KeysDashboard.Audit;

/// <summary>
/// The audit log as CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma, quote or
/// line break, quotes doubled). A cell that a spreadsheet would run as a formula (starting with = + - @, or a tab
/// or carriage return before one) is prefixed with a single quote: actor names, key names and reasons are typed
/// by people and API clients.
/// </summary>
internal static class AuditCsv
{
    public static readonly string[] Columns =
    [
        "seq", "time_utc", "actor_kind", "actor_id", "actor_name", "action", "outcome", "key_id", "key_name",
        "target_id", "target_name", "client_ip", "request_id", "reason", "details", "hash",
    ];

    private const int FlushEvery = 200;

    /// <summary>Writes the header and every row as it arrives, flushing as it goes so memory stays flat.</summary>
    public static async Task WriteAsync(IAsyncEnumerable<AuditEntry> rows, Stream body, CancellationToken cancellationToken = default)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(string.Join(',', Columns) + "\r\n");
        var written = 0;
        var line = new StringBuilder();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            line.Clear();
            AppendRow(line, row);
            await writer.WriteAsync(line, cancellationToken);
            if (++written % FlushEvery == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }
        await writer.FlushAsync(cancellationToken);
    }

    public static string Line(AuditEntry row)
    {
        var line = new StringBuilder();
        AppendRow(line, row);
        return line.ToString();
    }

    private static void AppendRow(StringBuilder line, AuditEntry row)
    {
        string?[] cells =
        [
            row.Seq?.ToString(CultureInfo.InvariantCulture),
            DateTime.SpecifyKind(row.At, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            row.ActorKind, row.ActorId, row.ActorName, row.Action, row.Outcome, row.KeyId, row.KeyName,
            row.TargetId, row.TargetName, row.ClientIp, row.RequestId, row.Reason, row.Details, row.Hash,
        ];
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }
            AppendCell(line, cells[i]);
        }
        line.Append("\r\n");
    }

    /// <summary>One field: formula characters defused, then quoted if it needs to be.</summary>
    public static void AppendCell(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            line.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
        }
        else
        {
            line.Append(value);
        }
    }
}
