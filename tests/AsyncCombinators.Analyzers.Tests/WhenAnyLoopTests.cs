using AsyncCombinators.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Verify = AsyncCombinators.Analyzers.Tests.Infrastructure.Verifier<AsyncCombinators.Analyzers.WhenAnyLoopAnalyzer, AsyncCombinators.Analyzers.CodeFixes.WhenAnyLoopCodeFix>;

namespace AsyncCombinators.Analyzers.Tests;

public class WhenAnyLoopTests
{
    [Fact]
    public Task WhileLoop_RemovesFromList_ReportsAndFixesToAsCompleted() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    // Print as they complete.
                    while (tasks.Count > 0)
                    {
                        Task<int> finished = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(finished);
                        Console.WriteLine(await finished); // the value
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    // Print as they complete.
                    await foreach (Task<int> finished in Async.AsCompleted(tasks))
                    {
                        Console.WriteLine(await finished); // the value
                    }
                }
            }
            """);

    [Fact]
    public Task ForLoop_ConditionOnly_FixesToAsCompletedAndKeepsConfigureAwait() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task M(List<Task> tasks)
                {
                    for (; tasks.Any();)
                    {
                        var done = await [|Task.WhenAny(tasks)|].ConfigureAwait(false);
                        tasks.Remove(done);

                        await done.ConfigureAwait(false);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task M(List<Task> tasks)
                {
                    await foreach (var done in Async.AsCompleted(tasks).ConfigureAwait(false))
                    {

                        await done.ConfigureAwait(false);
                    }
                }
            }
            """);

    [Fact]
    public Task WhileLoop_ReCreatesWithToList_ReportsAndFixes() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(IEnumerable<Task<int>> source)
                {
                    int sum = 0;
                    var pending = source.ToList();
                    while (pending.Count != 0)
                    {
                        var t = await [|Task.WhenAny(pending)|];
                        pending = pending.Where(p => p != t).ToList();
                        sum += t.Result;
                    }

                    return sum;
                }
            }
            """,
            """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task<int> M(IEnumerable<Task<int>> source)
                {
                    int sum = 0;
                    var pending = source.ToList();
                    await foreach (var t in Async.AsCompleted(pending))
                    {
                        sum += t.Result;
                    }

                    return sum;
                }
            }
            """);

    [Fact]
    public Task HashSet_RemovedAfterUse_ReportsAndFixes() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                private readonly HashSet<Task<string>> _running = new();

                async Task M()
                {
                    while (_running.Count > 0)
                    {
                        var next = await [|Task.WhenAny(_running)|];
                        Console.WriteLine(next.Result);
                        _running.Remove(next);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                private readonly HashSet<Task<string>> _running = new();

                async Task M()
                {
                    await foreach (var next in Async.AsCompleted(_running))
                    {
                        Console.WriteLine(next.Result);
                    }
                }
            }
            """);

    [Fact]
    public Task CountedForLoop_Reported_NoFixBecauseTheCountBoundsTheLoop() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task> tasks, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        Task t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                    }
                }
            }
            """,
            """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task> tasks, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        Task t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                    }
                }
            }
            """);

    [Fact]
    public Task ArrayReCreatedInDoLoop_Reported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Linq;
            using System.Threading.Tasks;

            class C
            {
                async Task M(Task[] tasks)
                {
                    do
                    {
                        Task t = await [|Task.WhenAny(tasks)|];
                        tasks = tasks.Except(new[] { t }).ToArray();
                    }
                    while (tasks.Length > 0);
                }
            }
            """);

    [Fact]
    public Task LoopThatAddsTasks_Reported_NoFixBecauseAsCompletedTakesASnapshot() =>
        Verify.VerifyCodeFixAsync(
            """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        tasks.Add(Task.Delay(1));
                    }
                }
            }
            """,
            """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        tasks.Add(Task.Delay(1));
                    }
                }
            }
            """);

    [Fact]
    public Task LoopThatDoesNotRemove_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task> tasks, Task stop)
                {
                    var completed = new List<Task>();
                    while (!stop.IsCompleted)
                    {
                        var t = await Task.WhenAny(tasks);
                        completed.Add(t);
                        completed.Remove(t);
                    }
                }
            }
            """);

    [Fact]
    public Task RemoveOutsideTheLoop_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task> tasks)
                {
                    var t = await Task.WhenAny(tasks);
                    tasks.Remove(t);
                }
            }
            """);

    [Fact]
    public Task WhenAnyInLambdaInsideLoop_NotReported() =>
        Verify.VerifyAnalyzerAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                void M(List<Task> tasks, List<Func<Task>> work)
                {
                    while (tasks.Count > 0)
                    {
                        work.Add(async () => await Task.WhenAny(tasks));
                        tasks.RemoveAt(0);
                    }
                }
            }
            """);

    [Fact]
    public Task ConditionTestsMoreThanEmptiness_Reported_NoFixBecauseTheRewriteWouldDropIt() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks, CancellationToken ct)
                {
                    while (tasks.Count > 0 && !ct.IsCancellationRequested)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks, CancellationToken ct)
                {
                    while (tasks.Count > 0 && !ct.IsCancellationRequested)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """);

    [Fact]
    public Task ConditionStopsBeforeTheLastTask_Reported_NoFix() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 1)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 1)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """);

    [Fact]
    public Task CSharp73_Reported_NoFixBecauseAwaitForeachNeedsCSharp8()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """;
        var test = new Verify.Test { TestCode = source, FixedCode = source };
        test.SolutionTransforms.Add((solution, id) => solution.WithProjectParseOptions(id, new CSharpParseOptions(LanguageVersion.CSharp7_3)));
        return test.RunAsync();
    }

    [Fact]
    public Task CollectionReadAfterTheLoop_Reported_NoFixBecauseAsCompletedLeavesItWhole() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        if (t.IsFaulted)
                        {
                            break;
                        }
                    }

                    return tasks.Count;
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        if (t.IsFaulted)
                        {
                            break;
                        }
                    }

                    return tasks.Count;
                }
            }
            """);

    [Fact]
    public Task DirectivesAndCommentsBeforeRemovedStatements_FixKeepsThem() =>
        Verify.VerifyCodeFixAsync(
            """
            #define TRACE_TASKS
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        // The next one to finish.
                        var t = await [|Task.WhenAny(tasks)|];
            #if TRACE_TASKS
                        Console.WriteLine("finished");
            #endif
            #if VERBOSE
                        Console.WriteLine("removing");
            #endif
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """,
            """
            #define TRACE_TASKS
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using AsyncCombinators;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    await foreach (var t in Async.AsCompleted(tasks))
                    {
                        // The next one to finish.
            #if TRACE_TASKS
                        Console.WriteLine("finished");
            #endif
            #if VERBOSE
                        Console.WriteLine("removing");
            #endif
                        Console.WriteLine(await t);
                    }
                }
            }
            """);

    [Fact]
    public Task FinishedTaskAssignedInTheBody_Reported_NoFixBecauseTheForeachVariableIsReadOnly() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        if (t.IsFaulted)
                        {
                            t = Task.FromResult(-1);
                        }

                        Console.WriteLine(await t);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        if (t.IsFaulted)
                        {
                            t = Task.FromResult(-1);
                        }

                        Console.WriteLine(await t);
                    }
                }
            }
            """);

    [Fact]
    public Task FieldUsedByAnotherMember_Reported_NoFixBecauseAsCompletedLeavesItWhole() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                private readonly List<Task<int>> _pending = new();

                public int PendingCount => _pending.Count;

                public void Start(Task<int> task) => _pending.Add(task);

                public async Task DrainAsync()
                {
                    while (_pending.Count > 0)
                    {
                        var t = await [|Task.WhenAny(_pending)|];
                        _pending.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                private readonly List<Task<int>> _pending = new();

                public int PendingCount => _pending.Count;

                public void Start(Task<int> task) => _pending.Add(task);

                public async Task DrainAsync()
                {
                    while (_pending.Count > 0)
                    {
                        var t = await [|Task.WhenAny(_pending)|];
                        _pending.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """);

    [Fact]
    public Task ConfigureAwaitWithOptions_Reported_NoFixBecauseAnAsyncStreamTakesOnlyABool() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|].ConfigureAwait(ConfigureAwaitOptions.None);
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|].ConfigureAwait(ConfigureAwaitOptions.None);
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """);

    [Fact]
    public Task CollectionReadByALambdaMadeBeforeTheLoop_Reported_NoFix() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    using var progress = new Timer(_ => Console.WriteLine($"{tasks.Count} left"), null, 1000, 1000);
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class C
            {
                async Task M(List<Task<int>> tasks)
                {
                    using var progress = new Timer(_ => Console.WriteLine($"{tasks.Count} left"), null, 1000, 1000);
                    while (tasks.Count > 0)
                    {
                        var t = await [|Task.WhenAny(tasks)|];
                        tasks.Remove(t);
                        Console.WriteLine(await t);
                    }
                }
            }
            """);

    [Fact]
    public Task TopLevelStatementsReadTheCollectionAfterTheLoop_Reported_NoFix() =>
        new Verify.Test
        {
            TestCode =
                """
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Tasks;

                var tasks = Enumerable.Range(1, 3).Select(Task.FromResult).ToList();
                while (tasks.Count > 0)
                {
                    var t = await [|Task.WhenAny(tasks)|];
                    tasks.Remove(t);
                    Console.WriteLine(await t);
                }

                Console.WriteLine($"{tasks.Count} left");
                """,
            FixedCode =
                """
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading.Tasks;

                var tasks = Enumerable.Range(1, 3).Select(Task.FromResult).ToList();
                while (tasks.Count > 0)
                {
                    var t = await [|Task.WhenAny(tasks)|];
                    tasks.Remove(t);
                    Console.WriteLine(await t);
                }

                Console.WriteLine($"{tasks.Count} left");
                """,
            TestState = { OutputKind = OutputKind.ConsoleApplication },
        }.RunAsync();

    [Fact]
    public Task CollectionCapturedByALocalFunctionAndReadAfterTheCall_Reported_NoFix() =>
        Verify.VerifyCodeFixAsync(
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(List<Task<int>> tasks)
                {
                    await DrainAsync();
                    return tasks.Count;

                    async Task DrainAsync()
                    {
                        while (tasks.Count > 0)
                        {
                            var t = await [|Task.WhenAny(tasks)|];
                            tasks.Remove(t);
                            Console.WriteLine(await t);
                        }
                    }
                }
            }
            """,
            """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class C
            {
                async Task<int> M(List<Task<int>> tasks)
                {
                    await DrainAsync();
                    return tasks.Count;

                    async Task DrainAsync()
                    {
                        while (tasks.Count > 0)
                        {
                            var t = await [|Task.WhenAny(tasks)|];
                            tasks.Remove(t);
                            Console.WriteLine(await t);
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task NestedLoops_FixAllFixesTheInnerLoopInASecondPass() =>
        new Verify.Test
        {
            TestCode =
                """
                using System;
                using System.Collections.Generic;
                using System.Threading.Tasks;

                class C
                {
                    async Task M(List<Task<List<Task<int>>>> batches)
                    {
                        while (batches.Count > 0)
                        {
                            var batch = await [|Task.WhenAny(batches)|];
                            batches.Remove(batch);
                            var items = await batch;
                            while (items.Count > 0)
                            {
                                var item = await [|Task.WhenAny(items)|];
                                items.Remove(item);
                                Console.WriteLine(await item);
                            }
                        }
                    }
                }
                """,
            FixedCode =
                """
                using System;
                using System.Collections.Generic;
                using System.Threading.Tasks;
                using AsyncCombinators;

                class C
                {
                    async Task M(List<Task<List<Task<int>>>> batches)
                    {
                        await foreach (var batch in Async.AsCompleted(batches))
                        {
                            var items = await batch;
                            await foreach (var item in Async.AsCompleted(items))
                            {
                                Console.WriteLine(await item);
                            }
                        }
                    }
                }
                """,
            NumberOfFixAllInDocumentIterations = 2,
            NumberOfFixAllInProjectIterations = 2,
            NumberOfFixAllIterations = 2,
        }.RunAsync();
}
