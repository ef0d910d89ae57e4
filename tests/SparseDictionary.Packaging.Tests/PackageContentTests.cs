using System.IO.Compression;
using System.Xml.Linq;

namespace SparseDictionary.Packaging.Tests;

/// <summary>What every package carries: readme, licence, repository, XML docs, symbols; and what the tool package needs to run.</summary>
[Collection(PackedFeedCollection.Name)]
[Trait("Category", "Packaging")]
public sealed class PackageContentTests(PackedFeed feed)
{
    [Fact]
    public void The_feed_holds_every_package_with_a_symbols_package_beside_it()
    {
        string[] packages = [.. Directory.GetFiles(feed.Feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        foreach (string id in PackedFeed.ExpectedPackages)
        {
            Assert.Contains($"{id}.{feed.Version}.nupkg", packages);
        }
        foreach (string package in packages)
        {
            string symbols = Path.ChangeExtension(Path.Combine(feed.Feed, package), ".snupkg");
            Assert.True(File.Exists(symbols), $"{package} has no symbols package.");
            using ZipArchive zip = ZipFile.OpenRead(symbols);
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_package_has_readme_licence_repository_and_xml_docs(string id)
    {
        using ZipArchive zip = ZipFile.OpenRead(feed.PackagePath(id));
        XElement metadata = Nuspec(zip).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

        Assert.Equal(id, Value("id"));
        Assert.Equal(feed.Version, Value("version"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")));
        Assert.False(string.IsNullOrWhiteSpace(Value("authors")));

        XElement license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);

        Assert.Equal("README.md", Value("readme"));
        ZipArchiveEntry readme = zip.GetEntry("README.md") ?? throw new Xunit.Sdk.XunitException($"{id} lacks README.md.");
        using (var reader = new StreamReader(readme.Open()))
        {
            Assert.StartsWith("# ", reader.ReadToEnd());
        }

        XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.StartsWith("https://", repository.Attribute("url")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");

        // Every assembly the package ships from this repository comes with its XML documentation.
        string assemblyFolder = id == "SparseDictionary.Cli" ? "tools/" : "lib/";
        string assemblyName = id == "SparseDictionary.Cli" ? "sdict" : id;
        ZipArchiveEntry docs = zip.Entries.SingleOrDefault(e => e.FullName.StartsWith(assemblyFolder, StringComparison.Ordinal) && e.Name == assemblyName + ".xml")
            ?? throw new Xunit.Sdk.XunitException($"{id} lacks {assemblyName}.xml.");
        using (Stream stream = docs.Open())
        {
            XDocument xml = XDocument.Load(stream);
            Assert.Equal(assemblyName, xml.Root!.Element("assembly")?.Element("name")?.Value);
            if (id != "SparseDictionary.Cli")
            {
                Assert.NotEmpty(xml.Root.Element("members")!.Elements("member"));
            }
        }
    }

    [Fact]
    public void The_safetensors_package_that_every_library_depends_on_brings_the_glibcxx_fix_to_applications()
    {
        using ZipArchive zip = ZipFile.OpenRead(feed.PackagePath("SparseDictionary.SafeTensors"));
        ZipArchiveEntry targets = zip.GetEntry("buildTransitive/SparseDictionary.SafeTensors.targets")
            ?? throw new Xunit.Sdk.XunitException("buildTransitive/SparseDictionary.SafeTensors.targets is missing.");
        using var reader = new StreamReader(targets.Open());
        string text = reader.ReadToEnd();
        Assert.Contains("GLIBCXX_3.4.32", text);
        Assert.Contains("AfterTargets=\"ResolvePackageAssets\"", text);

        foreach (string id in new[] { "SparseDictionary", "SparseDictionary.Llama" })
        {
            using ZipArchive library = ZipFile.OpenRead(feed.PackagePath(id));
            XElement metadata = Nuspec(library).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            Assert.Contains(metadata.Descendants(), e => e.Name.LocalName == "dependency" && e.Attribute("id")?.Value == "SparseDictionary.SafeTensors"
                && e.Attribute("version")?.Value == feed.Version);
        }
    }

    [Fact]
    public void The_tool_package_is_a_dotnet_tool_named_sdict_with_libtorch_and_a_patched_torchsharp_native()
    {
        using ZipArchive zip = ZipFile.OpenRead(feed.PackagePath("SparseDictionary.Cli"));
        XElement metadata = Nuspec(zip).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.Contains(metadata.Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
        // A tool package carries everything it needs: no package dependencies.
        Assert.DoesNotContain(metadata.Elements(), e => e.Name.LocalName == "dependencies" && e.HasElements);

        ZipArchiveEntry settings = zip.Entries.Single(e => e.Name == "DotnetToolSettings.xml");
        string toolFolder = settings.FullName[..^settings.Name.Length];
        using (Stream stream = settings.Open())
        {
            XElement command = XDocument.Load(stream).Descendants("Command").Single();
            Assert.Equal("sdict", command.Attribute("Name")?.Value);
        }
        foreach (string native in new[] { "libtorch_cpu.so", "libc10.so", "libLibTorchSharp.so" })
        {
            Assert.NotNull(zip.GetEntry(toolFolder + native));
        }

        // Debian 12's libstdc++ lacks GLIBCXX_3.4.32: the shipped library must not require it (docs/building.md).
        byte[] library;
        using (var buffer = new MemoryStream())
        {
            using (Stream stream = zip.GetEntry(toolFolder + "libLibTorchSharp.so")!.Open()) stream.CopyTo(buffer);
            library = buffer.ToArray();
        }
        var needs = ElfVersionNeeds.Read(library);
        Assert.Contains(needs, n => n.Version == "GLIBCXX_3.4.30" && (n.Flags & ElfVersionNeeds.WeakFlag) == 0);
        var newest = Assert.Single(needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", newest.Library);
        Assert.Equal(ElfVersionNeeds.WeakFlag, newest.Flags & ElfVersionNeeds.WeakFlag);
    }

    public static TheoryData<string> Ids => new(PackedFeed.ExpectedPackages);

    private static XDocument Nuspec(ZipArchive zip)
    {
        ZipArchiveEntry entry = zip.Entries.Single(e => !e.FullName.Contains('/') && e.Name.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = entry.Open();
        return XDocument.Load(stream);
    }
}
