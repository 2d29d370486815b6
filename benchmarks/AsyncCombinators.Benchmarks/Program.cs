using System;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace AsyncCombinators.Benchmarks;

/// <summary>
/// Runs the benchmarks. Every class compares one combinator with its BCL twin (the Baseline row).
/// <c>--quick</c>: one in-process iteration of everything, to prove the benchmarks run (CI); it measures nothing.
/// Other arguments go to BenchmarkSwitcher (<c>--filter *Gather*</c>, <c>--job short</c>, ...).
/// </summary>
public static class Program
{
    /// <summary>True in the quick mode (in-process, so the benchmark classes see it): inputs shrink to prove the code runs fast.</summary>
    internal static bool Quick { get; private set; }

    public static int Main(string[] args)
    {
        IConfig config = DefaultConfig.Instance
            .AddExporter(CsvExporter.Default);

        if (args.Contains("--quick"))
        {
            Quick = true;
            args = args.Where(a => a != "--quick").ToArray();
            if (!args.Contains("--filter"))
            {
                args = [.. args, "--filter", "*"];
            }

            config = ManualConfig.CreateEmpty()
                .AddColumnProvider(DefaultColumnProviders.Instance)
                .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
                .AddJob(Job.Dry.WithToolchain(InProcessNoEmitToolchain.Instance))
                .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
