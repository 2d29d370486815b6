using Verify = AsyncCombinators.Analyzers.Tests.Infrastructure.Verifier<AsyncCombinators.Analyzers.OperationTokenAnalyzer, AsyncCombinators.Analyzers.CodeFixes.OperationTokenCodeFix>;

namespace AsyncCombinators.Analyzers.Tests;

public class OperationTokenTests
{
    [Fact]
    public Task WaitForLambdaCallsOverloadWithoutToken_ReportsAndPassesToken() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task<string> M(HttpClient client, string url) =>
                    Async.WaitFor(ct => [|client.GetStringAsync(url /* the page */)|], TimeSpan.FromSeconds(2));
            }
            """,
            """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task<string> M(HttpClient client, string url) =>
                    Async.WaitFor(ct => client.GetStringAsync(url /* the page */, ct), TimeSpan.FromSeconds(2));
            }
            """);

    [Fact]
    public Task LastArgumentFollowedByCommentAndLineBreak_TokenGoesBeforeTheComment() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                static Task<int> LoadAsync(int id, int retries, CancellationToken cancellationToken) => Task.FromResult(id);

                static Task<int> LoadAsync(int id, int retries) => Task.FromResult(id);

                Task<int> M() =>
                    Async.WaitFor(ct => [|LoadAsync(1,
                        retries: 3 // a few
                    )|], TimeSpan.FromSeconds(2));
            }
            """,
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                static Task<int> LoadAsync(int id, int retries, CancellationToken cancellationToken) => Task.FromResult(id);

                static Task<int> LoadAsync(int id, int retries) => Task.FromResult(id);

                Task<int> M() =>
                    Async.WaitFor(ct => LoadAsync(1,
                        retries: 3, cancellationToken: ct // a few
                    ), TimeSpan.FromSeconds(2));
            }
            """);

    [Fact]
    public Task OptionalTokenParameterOmitted_PassesTokenPositionallyOrByName() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                static Task<int> LoadAsync(int id, CancellationToken cancellationToken = default) => Task.FromResult(id);

                static Task SaveAsync(string name, bool overwrite = false, CancellationToken cancellationToken = default) => Task.CompletedTask;

                async Task<int> M()
                {
                    var (a, b) = await Async.Gather(
                        token => [|LoadAsync(1)|],
                        async token =>
                        {
                            await [|SaveAsync("x")|];
                            return await [|LoadAsync(id: 2)|];
                        });
                    return a + b;
                }
            }
            """,
            """
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                static Task<int> LoadAsync(int id, CancellationToken cancellationToken = default) => Task.FromResult(id);

                static Task SaveAsync(string name, bool overwrite = false, CancellationToken cancellationToken = default) => Task.CompletedTask;

                async Task<int> M()
                {
                    var (a, b) = await Async.Gather(
                        token => LoadAsync(1, token),
                        async token =>
                        {
                            await SaveAsync("x", cancellationToken: token);
                            return await LoadAsync(id: 2, cancellationToken: token);
                        });
                    return a + b;
                }
            }
            """);

    [Fact]
    public Task ExtensionMethodAndInstanceOverload_PassToken() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            static class Extensions
            {
                public static Task<int> CountAsync(this string text, CancellationToken cancellationToken = default) => Task.FromResult(text.Length);
            }

            class C
            {
                Task<int> M(Stream stream, byte[] buffer, TaskGroup group) =>
                    group.Run(async ct => await [|stream.ReadAsync(buffer, 0, buffer.Length)|] + await [|"abc".CountAsync()|]);
            }
            """,
            """
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            static class Extensions
            {
                public static Task<int> CountAsync(this string text, CancellationToken cancellationToken = default) => Task.FromResult(text.Length);
            }

            class C
            {
                Task<int> M(Stream stream, byte[] buffer, TaskGroup group) =>
                    group.Run(async ct => await stream.ReadAsync(buffer, 0, buffer.Length, ct) + await "abc".CountAsync(ct));
            }
            """);

    [Fact]
    public Task OperationsInArrayAndSelector_FixAllInDocumentPassesEveryToken() =>
        new Verify.Test
        {
            TestCode = """
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;
                using AsyncCombinators;

                class C
                {
                    async Task<int[]> M(IEnumerable<int> ids)
                    {
                        int[] first = await Async.Gather(new Func<CancellationToken, Task<int>>[]
                        {
                            ct => [|Task.Run(() => 1)|],
                            ct => [|[|Task.Delay(10)|].ContinueWith(_ => 2)|],
                        });
                        return await Async.Gather(ids.Select(id => (Func<CancellationToken, Task<int>>)(c => [|Task.Run(() => id)|])), maxConcurrency: 2);
                    }
                }
                """,
            FixedCode = """
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;
                using AsyncCombinators;

                class C
                {
                    async Task<int[]> M(IEnumerable<int> ids)
                    {
                        int[] first = await Async.Gather(new Func<CancellationToken, Task<int>>[]
                        {
                            ct => Task.Run(() => 1, ct),
                            ct => Task.Delay(10, ct).ContinueWith(_ => 2, ct),
                        });
                        return await Async.Gather(ids.Select(id => (Func<CancellationToken, Task<int>>)(c => Task.Run(() => id, c))), maxConcurrency: 2);
                    }
                }
                """,
            NumberOfFixAllInDocumentIterations = 1,
            NumberOfFixAllIterations = 1,
        }.RunAsync();

    [Fact]
    public Task OperationsInTwoDocuments_FixAllInProjectPassesEveryToken()
    {
        var test = new Verify.Test
        {
            NumberOfFixAllInDocumentIterations = 2,
            NumberOfFixAllInProjectIterations = 1,
            NumberOfFixAllIterations = 1,
        };
        test.TestState.Sources.Add(("A.cs", """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class A
            {
                Task M() => Async.WaitFor(ct => [|Task.Delay(100)|], TimeSpan.FromSeconds(1));
            }
            """));
        test.TestState.Sources.Add(("B.cs", """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class B
            {
                Task M() => Async.WaitFor(token => [|Task.Delay(TimeSpan.FromSeconds(1))|], TimeSpan.FromSeconds(2));
            }
            """));
        test.FixedState.Sources.Add(("A.cs", """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class A
            {
                Task M() => Async.WaitFor(ct => Task.Delay(100, ct), TimeSpan.FromSeconds(1));
            }
            """));
        test.FixedState.Sources.Add(("B.cs", """
            using System;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class B
            {
                Task M() => Async.WaitFor(token => Task.Delay(TimeSpan.FromSeconds(1), token), TimeSpan.FromSeconds(2));
            }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task LambdaPassesItsTokenOrAnExplicitOne_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task<(string, int)> M(HttpClient client, string url, CancellationToken outer) =>
                    Async.Gather(
                        ct => client.GetStringAsync(url, ct),
                        async ct =>
                        {
                            await Task.Delay(10, CancellationToken.None);
                            await Task.Delay(10, outer);
                            return await Task.FromResult(1);
                        });
            }
            """);

    [Fact]
    public Task CallsOutsideCombinatorsOrInNestedLambdas_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                static Task Run(Func<CancellationToken, Task> operation) => operation(CancellationToken.None);

                Task M(Func<Task> later) =>
                    Task.WhenAll(
                        Run(ct => Task.Delay(10)),
                        Async.WaitFor(ct => Task.Run(() => later = () => Task.Delay(10), ct), TimeSpan.FromSeconds(1)));
            }
            """);

    [Fact]
    public Task GenericOverloadWithToken_ReportsAndPassesToken() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class Store
            {
                public Task<T> GetAsync<T>(IList<T> items) => Task.FromResult(items[0]);

                public Task<T> GetAsync<T>(IList<T> items, CancellationToken cancellationToken) => Task.FromResult(items[0]);
            }

            class C
            {
                Task<int> M(Store store, List<int> items) => Async.WaitFor(ct => [|store.GetAsync(items)|], TimeSpan.FromSeconds(1));
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class Store
            {
                public Task<T> GetAsync<T>(IList<T> items) => Task.FromResult(items[0]);

                public Task<T> GetAsync<T>(IList<T> items, CancellationToken cancellationToken) => Task.FromResult(items[0]);
            }

            class C
            {
                Task<int> M(Store store, List<int> items) => Async.WaitFor(ct => store.GetAsync(items, ct), TimeSpan.FromSeconds(1));
            }
            """);

    [Fact]
    public Task TokenParameterNamedUnderscore_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task<int[]> M() => Async.Gather(new Func<CancellationToken, Task<int>>[] { _ => Task.Run(() => 1) }, maxConcurrency: 1);
            }
            """);

    [Fact]
    public Task TokenNamedWithAKeyword_FixKeepsTheAt() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task M() => Async.WaitFor(async @checked => await [|Task.Delay(10)|], TimeSpan.FromSeconds(1));
            }
            """,
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task M() => Async.WaitFor(async @checked => await Task.Delay(10, @checked), TimeSpan.FromSeconds(1));
            }
            """);

    [Fact]
    public Task CleanupInFinallyOrAfterCancellation_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task M(Stream stream) => Async.WaitFor(async ct =>
                {
                    try
                    {
                        await stream.WriteAsync(new byte[1], ct);
                    }
                    catch (OperationCanceledException)
                    {
                        await stream.FlushAsync();
                        throw;
                    }
                    finally
                    {
                        await stream.FlushAsync();
                    }
                }, TimeSpan.FromSeconds(1));
            }
            """);

    [Fact]
    public Task CallInOtherCatch_Reported() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task M(Stream stream) => Async.WaitFor(async ct =>
                {
                    try
                    {
                        await stream.WriteAsync(new byte[1], ct);
                    }
                    catch (IOException)
                    {
                        await [|Task.Delay(100)|];
                    }
                }, TimeSpan.FromSeconds(1));
            }
            """,
            """
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task M(Stream stream) => Async.WaitFor(async ct =>
                {
                    try
                    {
                        await stream.WriteAsync(new byte[1], ct);
                    }
                    catch (IOException)
                    {
                        await Task.Delay(100, ct);
                    }
                }, TimeSpan.FromSeconds(1));
            }
            """);

    [Fact]
    public Task CompletionSourceMarkedCanceled_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                Task<int> M(TaskCompletionSource<int> reply, TaskCompletionSource done) => Async.WaitFor(async ct =>
                {
                    if (ct.IsCancellationRequested)
                    {
                        reply.TrySetCanceled();
                        done.SetCanceled();
                    }

                    return await reply.Task;
                }, TimeSpan.FromSeconds(1));
            }
            """);

    [Fact]
    public Task OverloadWithTokenNeedsAnOmittedOptionalArgument_NotReported() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class Store
            {
                public Task<int> SaveAsync(string item, bool overwrite = false) => Task.FromResult(1);
                public Task<int> SaveAsync(string item, bool overwrite, CancellationToken cancellationToken) => Task.FromResult(1);
            }

            class C
            {
                Task<int> M(Store store) => Async.WaitFor(ct => store.SaveAsync("x"), TimeSpan.FromSeconds(1));
            }
            """,
            """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class Store
            {
                public Task<int> SaveAsync(string item, bool overwrite = false) => Task.FromResult(1);
                public Task<int> SaveAsync(string item, bool overwrite, CancellationToken cancellationToken) => Task.FromResult(1);
            }

            class C
            {
                Task<int> M(Store store) => Async.WaitFor(ct => store.SaveAsync("x"), TimeSpan.FromSeconds(1));
            }
            """);
}
