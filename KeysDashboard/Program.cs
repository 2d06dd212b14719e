var builder = WebApplication.CreateBuilder(AppContentRoot.Options(CommandLineVerbs.IsInvocation(args) ? [] : args));

builder.UseTopLevelAppSettings();
builder.AddDatabase();
builder.AddDashboardIdentity();
builder.AddOwnerSetup();
builder.AddKeys();
builder.AddApi();
builder.AddDashboardUi();
builder.AddAudit();
if (CommandLineVerbs.IsInvocation(args))
{
    // The secret is the only thing on stdout, so a script can capture it; logs go to stderr.
    builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
}

var app = builder.Build();

await app.MigrateDatabaseAsync();
await app.BootstrapOwnerAsync();
if (CommandLineVerbs.IsInvocation(args))
{
    return await app.RunCommandLineVerbAsync(args, Console.Out, Console.Error);
}

// Order matters: the client's address and request id are settled before anyone authenticates.
app.UseRequestEdge();
app.UseSecurityHeaders();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseDashboard();
app.MapApi();
app.MapAudit();
app.MapDashboard();

await app.RunAsync();
return 0;

public partial class Program;
