using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Verify = AsyncCombinators.Analyzers.Tests.Infrastructure.Verifier<AsyncCombinators.Analyzers.SemaphoreThrottleAnalyzer, Microsoft.CodeAnalysis.Testing.EmptyCodeFixProvider>;

namespace AsyncCombinators.Analyzers.Tests;

public class SemaphoreThrottleTests
{
    [Fact]
    public Task SelectWithSemaphoreInsideWhenAll_ReportedAsInfo() =>
        new Verify.Test
        {
            TestCode = """
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;

                class C
                {
                    async Task<int[]> M(IEnumerable<int> items)
                    {
                        using var semaphore = new SemaphoreSlim(4);
                        return await Task.WhenAll(items.Select(async item =>
                        {
                            await semaphore.WaitAsync();
                            try
                            {
                                return await Task.FromResult(item);
                            }
                            finally
                            {
                                semaphore.Release();
                            }
                        }));
                    }
                }
                """,
            ExpectedDiagnostics =
            {
                new DiagnosticResult(Descriptors.SemaphoreThrottle).WithSeverity(DiagnosticSeverity.Info).WithSpan(11, 22, 11, 34).WithArguments("semaphore"),
            },
        }.RunAsync();

    [Fact]
    public Task LocalFromSelectToList_Reported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                private readonly SemaphoreSlim _gate = new(2);

                async Task M(IEnumerable<string> names)
                {
                    var tasks = names.Select(async name =>
                    {
                        await _gate.WaitAsync().ConfigureAwait(false);
                        try { await Task.Delay(name.Length); } finally { _gate.Release(); }
                    }).ToList();
                    await {|AC0005:Task.WhenAll|}(tasks);
                }
            }
            """);

    [Fact]
    public Task ListFilledInLoopWithTaskRun_Reported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                async Task M(IEnumerable<int> items, SemaphoreSlim throttle, CancellationToken ct)
                {
                    var tasks = new List<Task>();
                    foreach (int item in items)
                    {
                        tasks.Add(Task.Run(async () =>
                        {
                            await throttle.WaitAsync(ct);
                            try { await Task.Delay(item, ct); } finally { throttle.Release(); }
                        }));
                    }

                    await {|AC0005:Task.WhenAll|}(tasks);
                }
            }
            """);

    [Fact]
    public Task WhenAllWithoutSemaphoreOrWithSemaphoreOutsideTheTasks_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                async Task M(IEnumerable<int> items, SemaphoreSlim mutex)
                {
                    await Task.WhenAll(items.Select(async item => await Task.Delay(item)));
                    await mutex.WaitAsync();
                    try
                    {
                        var tasks = items.Select(item => Task.Delay(item)).ToList();
                        await Task.WhenAll(tasks);
                    }
                    finally
                    {
                        mutex.Release();
                    }
                }
            }
            """);

    [Fact]
    public Task SemaphoreTakenAfterTheWorkAsALock_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                readonly SemaphoreSlim _lock = new(1, 1);
                readonly List<string> _results = new();

                async Task M(IEnumerable<string> urls)
                {
                    await Task.WhenAll(urls.Select(async url =>
                    {
                        string page = await FetchAsync(url);
                        await _lock.WaitAsync();
                        try { _results.Add(page); }
                        finally { _lock.Release(); }
                    }));
                }

                Task<string> FetchAsync(string url) => Task.FromResult(url);
            }
            """);
}
