using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;

namespace MlOps.Platform.Tests.Api;

/// <summary>
/// Model files are data from outside the process: a file that is not a regular file, is too large, unpacks too far or
/// carries fields that would break a header is refused with a short reason, and nothing blocks on it.
/// </summary>
public sealed class ModelFileLimitsTests : IDisposable
{
    private static readonly ModelDefinition s_definition = ServedModelCases.Any;
    private readonly ModelFolder _folder = new();

    public ModelFileLimitsTests() => _folder.Install(SharedModel.Of(s_definition).ModelPath);

    [Fact]
    public void A_good_model_loads_within_the_default_limits()
    {
        TrainedModel.Load(_folder.ModelPath, s_definition).Version.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("v1\r\nX-Injected: 1")]
    [InlineData("v1-\u00e9t\u00e9")]
    [InlineData("")]
    [InlineData("a version with spaces")]
    public void A_manifest_field_that_would_reach_a_header_in_another_shape_is_refused(string version)
    {
        _folder.Install(SharedModel.Of(s_definition).ModelPath, manifest => manifest["version"] = version);

        var refused = Refused(ModelFileLimits.Default);

        refused.Reason.Should().Be("manifest is not valid");
        refused.Message.Should().Contain("version must be 1 to 128 visible ASCII characters");
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/dev/null")]
    public void A_manifest_that_is_a_link_to_a_device_is_refused_without_reading_it(string device)
    {
        File.Delete(_folder.ManifestPath);
        File.CreateSymbolicLink(_folder.ManifestPath, device);

        var clock = Stopwatch.StartNew();
        var refused = Refused(ModelFileLimits.Default);

        refused.Reason.Should().Be("manifest is empty or not a regular file");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "a device is never read");
    }

    [Fact]
    public void A_manifest_larger_than_its_limit_is_refused_before_it_is_read()
    {
        var refused = Refused(ModelFileLimits.Default with { MaxManifestBytes = 16 });

        refused.Reason.Should().Be("manifest is larger than the limit");
        refused.Message.Should().Contain("more than the limit of 16 bytes");
    }

    [Fact]
    public void A_model_file_larger_than_its_limit_is_refused()
    {
        Refused(ModelFileLimits.Default with { MaxModelBytes = 1_024 }).Reason.Should().Be("model file is larger than the limit");
    }

    [Fact]
    public void An_archive_that_unpacks_past_the_limit_is_refused_before_anything_unpacks_it()
    {
        WriteArchive(_folder.ModelPath, entries: 1, bytesEach: 4 * 1024 * 1024);

        var refused = Refused(ModelFileLimits.Default with { MaxUnpackedBytes = 1024 * 1024 });

        refused.Reason.Should().Be("model file is corrupt or breaks a size limit");
        refused.Message.Should().Contain("unpacks to 4194304 bytes, more than the limit of 1048576");
    }

    [Fact]
    public void An_archive_with_more_entries_than_allowed_is_refused()
    {
        WriteArchive(_folder.ModelPath, entries: 50, bytesEach: 10);

        Refused(ModelFileLimits.Default with { MaxEntries = 20 }).Message.Should().Contain("holds 50 entries, more than the limit of 20");
    }

    [Fact]
    public void A_model_path_that_is_a_folder_is_refused()
    {
        File.Delete(_folder.ModelPath);
        Directory.CreateDirectory(_folder.ModelPath);

        Refused(ModelFileLimits.Default).Reason.Should().Be("model file is not a regular file");
    }

    public void Dispose() => _folder.Dispose();

    private ModelLoadException Refused(ModelFileLimits limits)
    {
        var load = () => TrainedModel.Load(_folder.ModelPath, s_definition, limits);
        var refused = load.Should().Throw<ModelLoadException>().Which;
        refused.Reason.Should().NotContain(_folder.Root, "the short reason is shown to anyone and names no path");
        return refused;
    }

    private static void WriteArchive(string path, int entries, int bytesEach)
    {
        File.Delete(path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        for (var i = 0; i < entries; i++)
        {
            using var entry = zip.CreateEntry($"entry{i}").Open();
            entry.Write(new byte[bytesEach]);
        }
    }
}
