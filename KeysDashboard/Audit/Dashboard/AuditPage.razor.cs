using System.Globalization;
using KeysDashboard.Access;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;

namespace KeysDashboard.Audit.Dashboard;

public sealed partial class AuditPage : IDisposable
{
    private const string Any = "";

    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private Users.DashboardActor DashboardActor { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private static readonly string[] ActionFamilies = [.. AuditFilter.Actions.Select(a => a[..a.IndexOf('.', StringComparison.Ordinal)]).Distinct()];

    // The URL is the truth for what is shown, so a link (a key's history) shows the same rows.
    private AuditView view = AuditView.Default;
    private IReadOnlyList<AuditEntry>? items;
    private int total;
    private bool noAccess;
    private bool verifying;
    private AuditVerification? verification;
    private string? verifyRefused;

    // Only the latest load may show its rows: a slow query must not overwrite the answer to the next keystroke.
    private CancellationTokenSource? loading;

    protected override async Task OnInitializedAsync()
    {
        view = AuditView.Parse(new Uri(Navigation.Uri).Query);
        Navigation.LocationChanged += OnLocationChanged;
        await LoadAsync();
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        if (Navigation.ToBaseRelativePath(e.Location).Split('?', '#')[0].TrimEnd('/') != "audit")
        {
            return;
        }
        var parsed = AuditView.Parse(new Uri(e.Location).Query);
        if (parsed == view)
        {
            return;
        }
        view = parsed;
        _ = InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        });
    }

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        loading?.Cancel();
        loading?.Dispose();
    }

    private async Task LoadAsync()
    {
        loading?.Cancel();
        loading?.Dispose();
        var mine = loading = new CancellationTokenSource();
        try
        {
            var asked = view;
            var actor = await DashboardActor.GetAsync();
            var page = await Audit.PageAsync(asked.ToQuery(), asked.Page, AuditView.PageSize, actor, mine.Token);
            if (page.Items.Count == 0 && page.TotalItems > 0 && asked.Page > 0)
            {
                // A link to page 90 of what is now 3 pages: show the last page there is.
                asked = asked with { Page = (page.TotalItems - 1) / AuditView.PageSize };
                page = await Audit.PageAsync(asked.ToQuery(), asked.Page, AuditView.PageSize, actor, mine.Token);
            }
            if (mine.IsCancellationRequested)
            {
                return;
            }
            view = asked;
            items = page.Items;
            total = page.TotalItems;
            noAccess = false;
        }
        catch (AccessDeniedException)
        {
            noAccess = true;
            items = [];
            total = 0;
        }
        catch (OperationCanceledException) when (mine.IsCancellationRequested)
        {
        }
    }

    /// <summary>Shows <paramref name="changed"/> and puts it in the URL; a changed filter starts on the first page.</summary>
    private async Task ChangeViewAsync(AuditView changed)
    {
        view = changed.Page == view.Page ? changed with { Page = 0 } : changed;
        var url = view.ToUrl();
        if (Navigation.ToBaseRelativePath(Navigation.Uri) != url)
        {
            Navigation.NavigateTo(url, replace: true);
        }
        await LoadAsync();
    }

    private Task GoToPageAsync(int page) => ChangeViewAsync(view with { Page = Math.Max(page, 0) });

    private async Task VerifyAsync()
    {
        if (verifying)
        {
            return;
        }
        verifying = true;
        verification = null;
        verifyRefused = null;
        StateHasChanged();
        try
        {
            verification = await Audit.VerifyAsync(await DashboardActor.GetAsync());
        }
        catch (AccessDeniedException denied)
        {
            verifyRefused = denied.Message;
        }
        finally
        {
            verifying = false;
        }
        // The check itself is a new row at the top.
        await LoadAsync();
    }

    /// <summary>The actions in the log, plus one a link names that this version does not know.</summary>
    private IEnumerable<string> ActionChoices() =>
        view.Action is { } current && !AuditFilter.Actions.Contains(current) && !current.EndsWith('*')
            ? AuditFilter.Actions.Append(current)
            : AuditFilter.Actions;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? DateText(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private static Color OutcomeColor(string outcome) => outcome switch
    {
        AuditOutcomes.Success => Color.Success,
        AuditOutcomes.Refused => Color.Warning,
        _ => Color.Error,
    };
}
