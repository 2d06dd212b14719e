namespace KeysDashboard.Setup;

/// <summary>
/// The one row that says setup is done. Its primary key is always <see cref="SingletonId"/>, so a second
/// owner can never be committed, however two setup requests interleave.
/// </summary>
internal sealed class InstallationOwner
{
    public const int SingletonId = 1;

    public int Id { get; init; } = SingletonId;
    public required string UserId { get; init; }
    public DateTime CreatedAt { get; init; }
}
