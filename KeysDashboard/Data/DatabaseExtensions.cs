using KeysDashboard.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Microsoft.AspNetCore.Builder;

internal static class DatabaseExtensions
{
    /// <summary>
    /// SQLite in the data folder (Storage:DataDirectory, default "data" under the content root) unless
    /// ConnectionStrings:Keys names another database file. Data Protection keys, which sign the sign-in cookies,
    /// live beside it so that sessions survive a restart.
    /// </summary>
    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        var dataDirectory = Path.GetFullPath(
            builder.Configuration["Storage:DataDirectory"] is { Length: > 0 } configured ? configured : "data",
            builder.Environment.ContentRootPath);
        OwnerOnlyFiles.CreateDirectory(dataDirectory);

        var connectionString = builder.Configuration.GetConnectionString("Keys");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dataDirectory, "keysdashboard.db"),
                Cache = SqliteCacheMode.Default,
            }.ToString();
        }

        // The factory serves the key service (one short-lived context per operation, safe in a Blazor circuit);
        // it also registers the context as scoped for Identity's stores.
        // EF logs every failed command and SaveChanges at error level, stack trace included, before the caller
        // sees the exception. Some failures are expected and handled (a unique index settling an idempotency
        // or key race); the rest reach the exception handler, which logs them once with the request id.
        builder.Services.AddSingleton<KeysDashboard.Audit.AuditChain>();
        builder.Services.AddSingleton<KeysDashboard.Audit.AuditWritten>();
        builder.Services.AddSingleton<KeysDashboard.Audit.AuditChainSignal>();
        builder.Services.AddHostedService<KeysDashboard.Audit.AuditSealer>();
        builder.Services.AddDbContextFactory<ApplicationDbContext>((services, options) => options
            .UseSqlite(connectionString)
            .AddInterceptors(services.GetRequiredService<KeysDashboard.Audit.AuditChainSignal>())
            .ConfigureWarnings(warnings => warnings.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug))));
        var keyRing = Path.Combine(dataDirectory, "data-protection-keys");
        OwnerOnlyFiles.CreateDirectory(keyRing);
        OwnerOnlyFiles.Tighten(Directory.EnumerateFiles(keyRing, "*.xml"));
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("KeysDashboard");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<ILoggerFactory>((options, loggers) =>
            options.XmlRepository = new OwnerOnlyXmlRepository(new DirectoryInfo(keyRing), loggers));
        KeyRingCertificate.ProtectKeysIfConfigured(dataProtection, builder.Configuration);
        return builder;
    }

    /// <summary>Creates the database on first start and applies any migration a new version brings.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        await db.Database.MigrateAsync();
        // Rows written before the chain existed, or by a process that stopped before sealing them.
        await scope.ServiceProvider.GetRequiredService<KeysDashboard.Audit.AuditChain>().SealAsync();
        if (db.Database.IsSqlite())
        {
            // WAL lets the API read keys while the dashboard writes; it is a property of the file, set once.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            // SQLite creates -wal and -shm with the database file's mode, so the file's mode is the one that counts.
            if (new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource is { Length: > 0 } file
                && file != ":memory:")
            {
                OwnerOnlyFiles.Tighten(file, file + "-wal", file + "-shm", file + "-journal");
            }
        }
    }
}
