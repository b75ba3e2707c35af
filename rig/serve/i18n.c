/* The text of rig serve's pages, one table per language (i18n.h). */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "rig/serve/i18n.h"

struct text {
	const char *key, *text;
};

static const struct text en[] = {
	{ "title", "rig operator station" },
	{ "nav_station", "Station" },
	{ "nav_history", "History" },
	{ "nav_trend", "Trends" },
	{ "logout", "Log out" },
	{ "login", "Log in" },
	{ "user", "User" },
	{ "password", "Password" },
	{ "login_failed", "Wrong user name or password" },
	{ "socket", "Socket" },
	{ "serial", "Serial number" },
	{ "serial_hint", "Scan the unit's barcode" },
	{ "procedure", "Procedure" },
	{ "sim_unit", "Simulated unit" },
	{ "nominal", "(nominal)" },
	{ "start", "Start" },
	{ "abort", "Abort" },
	{ "confirm_abort", "Abort this run?" },
	{ "state", "State" },
	{ "state_starting", "Starting" },
	{ "state_running", "Running" },
	{ "state_prompt", "Waiting for the operator" },
	{ "state_done", "Done" },
	{ "state_failed", "Could not start" },
	{ "state_interrupted", "Interrupted" },
	{ "step", "Step" },
	{ "steps", "Steps" },
	{ "shots", "Shots" },
	{ "verdict", "Verdict" },
	{ "failing", "Failing requirements" },
	{ "prompt", "Operator action needed" },
	{ "continue", "Continue" },
	{ "ready", "Ready: scan a serial number" },
	{ "run", "Run" },
	{ "started", "Started" },
	{ "operator", "Operator" },
	{ "script", "Script" },
	{ "filter", "Filter" },
	{ "from", "From" },
	{ "to", "To" },
	{ "any", "any" },
	{ "no_runs", "No runs" },
	{ "reports", "Reports" },
	{ "verify", "Records" },
	{ "verify_ok", "intact: hashes, signature and journal chain check" },
	{ "verify_bad", "NOT intact" },
	{ "verify_unknown", "cannot be checked" },
	{ "requirement", "Requirement" },
	{ "show", "Show" },
	{ "set_baseline", "Set as baseline" },
	{ "baseline_set", "Baseline set" },
	{ "error", "Error" },
	{ "firmware", "Firmware" },
	{ "unit_serial", "Serial reported by the unit" },
	{ "new_run", "Next unit" },
	{ "connection_lost", "Connection lost: reconnecting..." },
};

static const struct text de[] = {
	{ "title", "rig Prüfplatz" },
	{ "nav_station", "Prüfplatz" },
	{ "nav_history", "Verlauf" },
	{ "nav_trend", "Trends" },
	{ "logout", "Abmelden" },
	{ "login", "Anmelden" },
	{ "user", "Benutzer" },
	{ "password", "Passwort" },
	{ "login_failed", "Benutzername oder Passwort falsch" },
	{ "socket", "Prüfnest" },
	{ "serial", "Seriennummer" },
	{ "serial_hint", "Barcode des Geräts scannen" },
	{ "procedure", "Prüfablauf" },
	{ "sim_unit", "Simuliertes Gerät" },
	{ "nominal", "(nominal)" },
	{ "start", "Start" },
	{ "abort", "Abbrechen" },
	{ "confirm_abort", "Diese Prüfung abbrechen?" },
	{ "state", "Zustand" },
	{ "state_starting", "Startet" },
	{ "state_running", "Läuft" },
	{ "state_prompt", "Wartet auf den Bediener" },
	{ "state_done", "Fertig" },
	{ "state_failed", "Konnte nicht starten" },
	{ "state_interrupted", "Unterbrochen" },
	{ "step", "Schritt" },
	{ "steps", "Schritte" },
	{ "shots", "Schüsse" },
	{ "verdict", "Ergebnis" },
	{ "failing", "Nicht erfüllte Anforderungen" },
	{ "prompt", "Bediener-Aktion erforderlich" },
	{ "continue", "Weiter" },
	{ "ready", "Bereit: Seriennummer scannen" },
	{ "run", "Prüfung" },
	{ "started", "Begonnen" },
	{ "operator", "Bediener" },
	{ "script", "Skript" },
	{ "filter", "Filtern" },
	{ "from", "Von" },
	{ "to", "Bis" },
	{ "any", "alle" },
	{ "no_runs", "Keine Prüfungen" },
	{ "reports", "Berichte" },
	{ "verify", "Aufzeichnungen" },
	{ "verify_ok", "unversehrt: Hashes, Signatur und Journal-Kette stimmen" },
	{ "verify_bad", "NICHT unversehrt" },
	{ "verify_unknown", "nicht prüfbar" },
	{ "requirement", "Anforderung" },
	{ "show", "Anzeigen" },
	{ "set_baseline", "Als Referenz setzen" },
	{ "baseline_set", "Referenz gesetzt" },
	{ "error", "Fehler" },
	{ "firmware", "Firmware" },
	{ "unit_serial", "Vom Gerät gemeldete Seriennummer" },
	{ "new_run", "Nächstes Gerät" },
	{ "connection_lost", "Verbindung verloren: verbinde neu..." },
};

const char *i18n_pick(const char *al)
{
	/* tags in the order given; q-values are in practice descending */
	while (al && *al) {
		while (*al == ' ' || *al == ',')
			al++;
		if (!strncasecmp(al, "de", 2) && !isalpha((unsigned char)al[2]))
			return "de";
		if (!strncasecmp(al, "en", 2) && !isalpha((unsigned char)al[2]))
			return "en";
		al = strchr(al, ',');
	}
	return "en";
}

json_t *i18n_table(const char *lang)
{
	const struct text *t = strcmp(lang, "de") ? en : de;
	size_t n = strcmp(lang, "de") ? sizeof(en) / sizeof(en[0]) : sizeof(de) / sizeof(de[0]);
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, t[i].key, json_string(t[i].text));
	return o;
}
