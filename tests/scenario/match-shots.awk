# Match measured shots to the sim's true ones by time, step by step.
#   awk -f match-shots.awk SETTINGS truth.csv shots.csv
# SETTINGS: one line per step, "STEP<TAB>dose_ul" (from result.json).
# A measured shot is a true one when their onsets lie within WINDOW_S of
# each other: far closer than two real shots can be (a double shot comes
# 0.45 of a period later, 77 ms at 350/min), far wider than any onset error.
# Both lists are in time order, so one pass pairs them. Prints, per true
# shot, "match STEP T DEPTH_ERR_MM ONSET_ERR_MS VOLUME_ERR_PCT_OF_SET" or
# "missed STEP T", and "phantom STEP T" per measured shot left over.
BEGIN { FS = ","; WINDOW_S = 0.005 }
FILENAME == ARGV[1] { split($0, f, "\t"); dose[f[1]] = f[2]; next }
FNR == 1 { next }  # CSV header
FILENAME == ARGV[2] { n = ++nt[$1]; tt[$1, n] = $3; td[$1, n] = $4; tv[$1, n] = $5; next }
{ n = ++nm[$1]; mt[$1, n] = $3; md[$1, n] = $4; mv[$1, n] = $5 }
function abs(x) { return x < 0 ? -x : x }
END {
	for (step in nt) {
		if (!(step in dose)) { print "error no setting for step " step; exit 1 }
		i = j = 1
		while (i <= nt[step] || j <= nm[step]) {
			if (i <= nt[step] && j <= nm[step] && abs(mt[step, j] - tt[step, i]) <= WINDOW_S) {
				printf "match %s %.6f %.6f %.6f %.4f\n", step, tt[step, i],
				       md[step, j] - td[step, i], 1000 * (mt[step, j] - tt[step, i]),
				       100 * (mv[step, j] - tv[step, i]) / dose[step]
				i++; j++
			} else if (j > nm[step] || (i <= nt[step] && tt[step, i] < mt[step, j])) {
				printf "missed %s %.6f\n", step, tt[step, i++]
			} else {
				printf "phantom %s %.6f\n", step, mt[step, j++]
			}
		}
	}
	for (step in nm)
		if (!(step in nt))
			for (j = 1; j <= nm[step]; j++)
				printf "phantom %s %.6f\n", step, mt[step, j]
}
