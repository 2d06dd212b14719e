using KeysDashboard.Access;
using KeysDashboard.Api;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor;

namespace KeysDashboard.Users.Dashboard;

/// <summary>
/// People and their roles (Admin only). The page asks <see cref="UserService"/> for everything, with the actor read
/// afresh at each action; a refused action or a broken rule (the last Admin) shows as a message, never an error page.
/// </summary>
public sealed partial class UsersPage
{
    [Inject] private UserService Users { get; set; } = default!;
    [Inject] private DashboardActor DashboardActor { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IServiceProvider Services { get; set; } = default!;

    private IReadOnlyList<UserSummary>? people;
    private Actor? actor;
    private string? noAccess;
    private bool busy;
    private string[]? focusNext;

    private static readonly DialogOptions DialogOptions = new() { MaxWidth = MaxWidth.Small, FullWidth = true, DefaultFocus = DefaultFocus.None };

    protected override Task OnInitializedAsync() => LoadAsync();

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (focusNext is { } ids)
        {
            focusNext = null;
            try
            {
                await JS.InvokeAsync<bool>("keysDashboard.focus", [ids]);
            }
            catch (JSDisconnectedException)
            {
            }
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            actor = await DashboardActor.GetAsync();
            people = await Users.ListAsync(actor);
            noAccess = null;
        }
        catch (AccessDeniedException denied)
        {
            people = null;
            noAccess = denied.Message;
        }
    }

    /// <summary>Where set-password links point: PublicBaseUrl when set (never a Host header), else this page's own address.</summary>
    private Uri BaseUri()
    {
        var configured = Services.GetService<IOptions<PublicUrlOptions>>()?.Value.PublicBaseUrl;
        return new Uri(string.IsNullOrEmpty(configured) ? Navigation.BaseUri : configured.TrimEnd('/') + "/");
    }

    private void FocusAfterRender(params string[] ids)
    {
        focusNext = [.. ids, "invite-user", "users-heading"];
        StateHasChanged();
    }

    private async Task InviteAsync()
    {
        var baseUri = BaseUri();
        var parameters = new DialogParameters<InviteUserDialog> { { d => d.BaseUri, baseUri } };
        var dialog = await Dialogs.ShowAsync<InviteUserDialog>("Add a person", parameters, DialogOptions);
        if (await dialog.Result is { Canceled: false, Data: Invitation made })
        {
            await LoadAsync();
            StateHasChanged();
            var linkParameters = new DialogParameters<InviteLinkDialog>
            {
                { d => d.Link, made.Link },
                { d => d.Email, made.User.Email },
            };
            var shown = await Dialogs.ShowAsync<InviteLinkDialog>("Set-password link", linkParameters, DialogOptions);
            await shown.Result;
        }
        FocusAfterRender("invite-user");
    }

    private async Task ChangeRoleAsync(UserSummary person)
    {
        var parameters = new DialogParameters<ChangeRoleDialog> { { d => d.Email, person.Email }, { d => d.Role, person.Role } };
        var dialog = await Dialogs.ShowAsync<ChangeRoleDialog>($"Change the role of {person.Email}", parameters, DialogOptions);
        if (await dialog.Result is { Canceled: false, Data: string role } && role != person.Role)
        {
            await RunAsync(async () =>
            {
                var changed = await Users.ChangeRoleAsync(person.Id, role, await DashboardActor.GetAsync());
                Snackbar.Add($"{person.Email} is now {changed.Role}. Their sessions have ended.", Severity.Success);
            });
        }
        FocusAfterRender($"role-{person.Id}", $"user-{person.Id}");
    }

    private async Task LockAsync(UserSummary person)
    {
        await RunAsync(async () =>
        {
            await Users.LockAsync(person.Id, await DashboardActor.GetAsync());
            Snackbar.Add($"Locked {person.Email}. Their sessions have ended.", Severity.Success);
        });
        FocusAfterRender($"lock-{person.Id}", $"user-{person.Id}");
    }

    private async Task UnlockAsync(UserSummary person)
    {
        await RunAsync(async () =>
        {
            await Users.UnlockAsync(person.Id, await DashboardActor.GetAsync());
            Snackbar.Add($"Unlocked {person.Email}.", Severity.Success);
        });
        FocusAfterRender($"lock-{person.Id}", $"user-{person.Id}");
    }

    private async Task RemoveAsync(UserSummary person)
    {
        var parameters = new DialogParameters<ConfirmUserActionDialog>
        {
            { d => d.Title, $"Remove {person.Email}?" },
            { d => d.Message, $"{person.Email} can no longer sign in, and their open sessions end now. Their past actions stay in the audit log. To stop them for a while instead, lock them." },
            { d => d.ConfirmText, "Remove person" },
        };
        var dialog = await Dialogs.ShowAsync<ConfirmUserActionDialog>($"Remove {person.Email}", parameters, DialogOptions);
        if (await dialog.Result is { Canceled: false })
        {
            await RunAsync(async () =>
            {
                await Users.RemoveAsync(person.Id, await DashboardActor.GetAsync());
                Snackbar.Add($"Removed {person.Email}.", Severity.Success);
            });
        }
        FocusAfterRender($"remove-{person.Id}", $"user-{person.Id}");
    }

    private async Task RunAsync(Func<Task> action)
    {
        if (busy)
        {
            return;
        }
        busy = true;
        StateHasChanged();
        try
        {
            await action();
        }
        catch (AccessDeniedException denied)
        {
            Snackbar.Add(denied.Message, Severity.Error);
        }
        catch (UserRuleException rule)
        {
            Snackbar.Add(string.Join(" ", rule.Messages), Severity.Error);
        }
        finally
        {
            busy = false;
            await LoadAsync();
            StateHasChanged();
        }
    }
}
