using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KeysDashboard.Tests.Infrastructure;

namespace KeysDashboard.Tests.Storage;

/// <summary>What a copy of the data directory, or another account on the machine, can get out of it.</summary>
public sealed class DataDirectoryTests
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task The_data_directory_the_database_and_the_key_ring_are_readable_by_the_owner_only()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        await using var app = new AppFactory();
        // A signed-in owner means the database and the Data Protection key ring both exist.
        var client = app.CreateBrowserLikeClient();
        await Owner.SetUpAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/keys", TestContext.Current.CancellationToken)).StatusCode);

        AssertOwnerOnly(app.DataDirectory);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_data_directory_an_older_version_left_open_is_tightened_at_start()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        string dataDirectory;
        await using (var first = new AppFactory())
        {
            await Owner.SetUpAsync(first.CreateBrowserLikeClient());
            dataDirectory = first.DataDirectory;
            var copy = dataDirectory + "-copy";
            CopyDirectory(dataDirectory, copy);
            dataDirectory = copy;
        }
        const UnixFileMode open = OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var directory in Directory.EnumerateDirectories(dataDirectory, "*", SearchOption.AllDirectories).Append(dataDirectory))
        {
            File.SetUnixFileMode(directory, open);
        }
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        await using var second = new AppFactory(new Dictionary<string, string?> { ["Storage:DataDirectory"] = dataDirectory });
        var client = second.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Owner.SignInAsync(client)).StatusCode);

        AssertOwnerOnly(dataDirectory);
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task With_a_certificate_configured_the_key_ring_on_disk_holds_no_plain_master_key()
    {
        var certificatePath = Path.Combine(Path.GetTempPath(), $"keysdashboard-dp-{Guid.NewGuid():N}.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=KeysDashboard Data Protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Pfx, "pfx password"), TestContext.Current.CancellationToken);
        }
        try
        {
            await using var app = new AppFactory(new Dictionary<string, string?>
            {
                ["DataProtection:CertificatePath"] = certificatePath,
                ["DataProtection:CertificatePassword"] = "pfx password",
            });
            var client = app.CreateBrowserLikeClient();
            await Owner.SetUpAsync(client);
            // The cookie the encrypted key signed still reads back.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/keys", TestContext.Current.CancellationToken)).StatusCode);

            var keyFiles = Directory.GetFiles(Path.Combine(app.DataDirectory, "data-protection-keys"), "*.xml");
            Assert.NotEmpty(keyFiles);
            foreach (var file in keyFiles)
            {
                var xml = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
                Assert.Contains("<encryptedSecret", xml);
                Assert.Contains("EncryptedKey", xml);
                Assert.DoesNotContain("<masterKey", xml);
            }
        }
        finally
        {
            File.Delete(certificatePath);
        }
    }

    [Theory]
    [InlineData("/no/such/certificate.pfx", null)]
    [InlineData("SELF", "wrong password")]
    public async Task A_certificate_that_cannot_be_loaded_stops_the_app_at_start_naming_the_setting(string path, string? password)
    {
        var selfPath = Path.Combine(Path.GetTempPath(), $"keysdashboard-dp-{Guid.NewGuid():N}.pfx");
        using (var rsa = RSA.Create(2048))
        {
            using var certificate = new CertificateRequest("CN=x", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(selfPath, certificate.Export(X509ContentType.Pfx, "right password"), TestContext.Current.CancellationToken);
        }
        try
        {
            await using var app = new AppFactory(new Dictionary<string, string?>
            {
                ["DataProtection:CertificatePath"] = path == "SELF" ? selfPath : path,
                ["DataProtection:CertificatePassword"] = password,
            });

            var error = Assert.Throws<InvalidOperationException>(() => app.CreateClient());

            Assert.Contains("DataProtection:CertificatePath", error.Message);
        }
        finally
        {
            File.Delete(selfPath);
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static void AssertOwnerOnly(string dataDirectory)
    {
        var keyRing = Path.Combine(dataDirectory, "data-protection-keys");
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(dataDirectory));
        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(keyRing));
        var files = Directory.GetFiles(dataDirectory).Concat(Directory.GetFiles(keyRing)).ToList();
        Assert.Contains(files, f => f.EndsWith("keysdashboard.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".xml", StringComparison.Ordinal));
        Assert.All(files, file => Assert.Equal((file, OwnerOnlyFile), (file, File.GetUnixFileMode(file))));
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var directory in Directory.GetDirectories(from))
        {
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }
}
