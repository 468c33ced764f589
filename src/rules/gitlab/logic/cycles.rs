//! Cycles in job-level `needs` (`Dag.check_circular_dependencies!`).

use super::*;

/// `Dag.check_circular_dependencies!` over job-level `needs`.
pub(super) fn cycles(infos: &[Info<'_>], index: &HashMap<&str, usize>, out: &mut Vec<Finding>) {
    let n = infos.len();
    let mut edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); n];
    for (i, info) in infos.iter().enumerate() {
        let Some(needs) = info
            .job
            .node
            .get("needs")
            .filter(|x| !x.is_null())
            .and_then(|x| job_needs(x))
        else {
            continue;
        };
        for need in needs {
            if let Some(&d) = index.get(base_name(&need.name, index)) {
                edges[i].push((d, need.span));
            }
        }
    }
    // Tarjan's strongly connected components, iteratively.
    let mut idx = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut counter = 0;
    for start in 0..n {
        if idx[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && idx[v] == usize::MAX {
                idx[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *ei < edges[v].len() {
                let (w, _) = edges[v][*ei];
                *ei += 1;
                if idx[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(idx[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == idx[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                let self_loop = comp.len() == 1 && edges[v].iter().any(|(w, _)| *w == v);
                if comp.len() > 1 || self_loop {
                    // Ruby's TSort reports a component in DFS discovery (stack) order.
                    comp.reverse();
                    let names: Vec<&str> =
                        comp.iter().map(|&c| infos[c].job.name.as_str()).collect();
                    let message = if self_loop {
                        format!(
                            "The pipeline has circular dependencies: self-dependency: {}",
                            names[0]
                        )
                    } else {
                        let quoted: Vec<String> = names.iter().map(|s| format!("{s:?}")).collect();
                        format!(
                            "The pipeline has circular dependencies: topological sort failed: [{}]",
                            quoted.join(", ")
                        )
                    };
                    for &c in &comp {
                        for (w, span) in &edges[c] {
                            if comp.contains(w) {
                                out.push(
                                    Finding::new(Class::NeedsCycle, *span, message.clone())
                                        .job(&infos[c].job.name)
                                        .help(format!("the jobs {} need each other: remove one of these needs", names.join(", "))),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
