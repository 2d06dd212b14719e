using System.Net;
using System.Text;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Audit;

/// <summary>The CSV a spreadsheet opens: RFC 4180 quoting, no formula from a hostile name, every column in order.</summary>
public sealed class AuditCsvTests
{
    private static AuditEntry Row(string actorName, string? reason = null, string? keyName = null, string? details = null) => new()
    {
        Id = 1, Seq = 7, At = new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc), ActorKind = "person", ActorId = "u1",
        ActorName = actorName, Action = AuditActions.KeyDisabled, Outcome = AuditOutcomes.Success, KeyId = "k1", KeyName = keyName,
        ClientIp = "192.0.2.1", RequestId = "r1", Reason = reason, Details = details, PreviousHash = AuditHash.Genesis, Hash = "abc",
    };

    [Fact]
    public void The_header_is_the_contracts_columns()
    {
        Assert.Equal("seq,time_utc,actor_kind,actor_id,actor_name,action,outcome,key_id,key_name,target_id,target_name,client_ip,request_id,reason,details,hash",
            string.Join(',', AuditCsv.Columns));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line1\nline2", "\"line1\nline2\"")]
    [InlineData("line1\r\nline2", "\"line1\r\nline2\"")]
    [InlineData("=HYPERLINK(\"http://evil\",\"x\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("a=1", "a=1")]
    public void A_hostile_cell_is_quoted_and_defused(string value, string expected)
    {
        var cell = new StringBuilder();
        AuditCsv.AppendCell(cell, value);
        Assert.Equal(expected, cell.ToString());
    }

    [Fact]
    public void A_row_reads_back_field_for_field_with_an_RFC_4180_reader()
    {
        var line = AuditCsv.Line(Row("Eve, \"the\" admin\nline two", reason: "=cmd|' /C calc'!A0", keyName: "-danger", details: "{\"a\":1,\"b\":\"x\"}"));

        var fields = Assert.Single(Rfc4180.Parse(line));
        Assert.Equal(16, fields.Count);
        Assert.Equal("7", fields[0]);
        Assert.Equal("2026-01-02T03:04:05.678000Z", fields[1]);
        Assert.Equal("Eve, \"the\" admin\nline two", fields[4]);
        Assert.Equal("'-danger", fields[8]);
        Assert.Equal("", fields[9]);
        Assert.Equal("'=cmd|' /C calc'!A0", fields[13]);
        Assert.Equal("{\"a\":1,\"b\":\"x\"}", fields[14]);
        Assert.Equal("abc", fields[15]);
        Assert.EndsWith("\r\n", line);
    }

    [Fact]
    public async Task The_dashboard_export_downloads_the_filtered_rows_as_an_attachment()
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(client);
        var hostile = await app.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("=cmd, \"quoted\"", false, [], null), ApiFactory.Admin));
        await app.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft("other", false, [], null), ApiFactory.Admin));
        await app.WithKeysAsync(keys => keys.SetEnabledAsync(hostile.Key.Id, false, ApiFactory.Admin, reason: "leaked, in a \"gist\""));
        await app.Services.SealAsync();

        using var response = await client.GetAsync($"/audit/export.csv?key={hostile.Key.Id}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var rows = Rfc4180.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(AuditCsv.Columns, rows[0]);
        Assert.Equal([AuditActions.KeyCreated, AuditActions.KeyDisabled], rows.Skip(1).Select(r => r[5]));
        Assert.All(rows.Skip(1), r => Assert.Equal(("'=cmd, \"quoted\"", hostile.Key.Id), (r[8], r[7])));
        Assert.Equal("leaked, in a \"gist\"", rows[2][13]);
        Assert.Equal(64, rows[2][15].Length);
    }

    [Fact]
    public async Task The_export_refuses_bad_filters_and_people_without_audit_read_and_sends_strangers_to_sign_in()
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(client);

        using var bad = await client.GetAsync("/audit/export.csv?outcome=maybe&from=yesterday", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("outcome must be one of", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var stranger = await app.CreateBrowserLikeClient().GetAsync("/audit/export.csv", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, stranger.StatusCode);
        Assert.Contains("/Account/Login", stranger.Headers.Location?.ToString());

        // The owner loses every role (as a removed or demoted person would): the service refuses and audits it.
        await app.SqlAsync("DELETE FROM AspNetUserRoles");
        using var refused = await client.GetAsync("/audit/export.csv", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var last = await app.WithDbAsync(db => db.AuditEntries.AsNoTracking().OrderBy(e => e.Id).LastAsync());
        Assert.Equal((AuditActions.AccessRefused, Owner.Email), (last.Action, last.ActorName));
    }

    [Fact]
    public async Task A_hundred_thousand_rows_stream_out_in_order()
    {
        await using var app = new AppFactory();
        var client = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(client);
        const int count = 100_000;
        await app.SqlAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
            INSERT INTO AuditEntries (At, ActorKind, ActorId, ActorName, Action, Outcome, Reason)
            SELECT '2026-01-01 00:00:00', 'system', 'bulk', 'bulk writer', 'key.looked_up', 'success', 'row ' || i FROM n
            """);
        // Sealed now, not by the background sealer halfway through the download: every line ends with its hash.
        await app.WithServiceAsync<int, AuditChain>(chain => chain.SealAsync(TestContext.Current.CancellationToken));

        // Read as it arrives: the first rows are in hand before the whole body exists.
        using var response = await client.GetAsync("/audit/export.csv?actor=bulk", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("seq,time_utc", await reader.ReadLineAsync(TestContext.Current.CancellationToken));
        Assert.Matches(",row 1,,[0-9a-f]{64}$", await reader.ReadLineAsync(TestContext.Current.CancellationToken));
        var lines = 1;
        string? last = null;
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            lines++;
            last = line;
        }
        Assert.Equal(count, lines);
        Assert.Matches($",row {count},,[0-9a-f]{{64}}$", last);
    }

    [Fact]
    public async Task The_service_export_is_read_lazily_a_row_at_a_time()
    {
        await using var app = new AppFactory();
        await app.CreateKeysAsync(5);
        await using var scope = app.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<AuditLog>().ExportAsync(AuditQuery.All, Actor.CommandLine, TestContext.Current.CancellationToken);

        // Not a list in disguise: enumerating is what reads the database.
        Assert.IsNotType<List<AuditEntry>>(rows);
        await app.CreateKeysAsync(1, "written after the export was asked for");
        var names = new List<string?>();
        await foreach (var row in rows)
        {
            names.Add(row.KeyName);
        }
        Assert.Equal(6, names.Count);
    }
}

/// <summary>A strict RFC 4180 reader for the tests: quoted fields, doubled quotes, CRLF between records.</summary>
internal static class Rfc4180
{
    public static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"' && field.Length == 0)
            {
                i++;
                while (true)
                {
                    if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                    }
                    else if (text[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        field.Append(text[i++]);
                    }
                }
                Assert.True(i == text.Length || text[i] is ',' or '\r', "a quoted field must end at a comma or line end");
            }
            else if (text[i] == ',')
            {
                record.Add(field.ToString());
                field.Clear();
                i++;
            }
            else if (text[i] == '\r')
            {
                Assert.Equal('\n', text[i + 1]);
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
                i += 2;
            }
            else
            {
                Assert.NotEqual('\n', text[i]);
                Assert.NotEqual('"', text[i]);
                field.Append(text[i++]);
            }
        }
        Assert.Empty(record);
        return records;
    }
}
