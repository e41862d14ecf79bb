import type { Lang } from './lang.js';

export const LANGS: readonly Lang[] = ['es', 'en'];

/**
 * When neither `?lang=` nor Accept-Language names a language the page speaks. English, because a
 * visitor whose browser asks for neither is more likely to read English than Spanish.
 */
export const DEFAULT_LANG: Lang = 'en';

/** Each language's name in itself, for the switch. */
export const LANG_NAMES: Readonly<Record<Lang, string>> = { es: 'Español', en: 'English' };

const en = {
  tagline: 'weather telemetry',
  skipToContent: 'Skip to content',
  languageNav: 'Language',
  dbUp: 'database connected',
  dbDown: 'database unavailable since {time}, retrying',
  outboxWaiting: '{count} readings waiting to reach the cloud (oldest {time})',
  latestTitle: 'Latest per city',
  latestCaption: 'The most recent reading of each city',
  recentTitle: 'Last 15 readings',
  recentCaption: 'The 15 most recent readings, newest first',
  fromCache: 'last known values, from {time}',
  readingsUnavailable: 'readings unavailable: nothing has come from the database yet',
  noReadings: 'no readings yet',
  colId: 'ID',
  colCity: 'City',
  colTemperature: 'Temperature',
  colHumidity: 'Humidity',
  colTakenAt: 'Taken at',
  colAge: 'Age',
  colSource: 'Source',
  colStatus: 'Status',
  sourceOpenMeteo: 'open-meteo',
  sourceSimulated: 'simulated',
  sourceDevice: 'station',
  stale: 'stale',
  weatherTitle: 'Live weather',
  cityLabel: 'City',
  showCity: 'Show',
  weatherUnavailable: 'weather unavailable right now',
  observedAt: 'Observed at',
  weatherSource: 'Straight from Open-Meteo, not stored.',
  statusTitle: 'Status',
  openMeteoUp: 'Open-Meteo up',
  openMeteoDown: 'Open-Meteo down',
  openMeteoUnused: 'Open-Meteo unused',
  openMeteoCalls: '{calls} of {budget} calls today',
  outboxDepth: 'outbox: {n} waiting',
  outboxUnknown: 'outbox: sensor not answering',
  freshnessTitle: 'Freshness',
  sourceTitle: 'Source',
  chartsTitle: 'History',
  chartsControls: 'Chart options',
  rangeLabel: 'Range',
  range1h: '1 h',
  range24h: '24 h',
  range7d: '7 d',
  range30d: '30 d',
  viewLabel: 'View',
  viewCity: 'One city',
  viewCompare: 'All cities',
  chartTemperature: 'Temperature (°C)',
  chartHumidity: 'Humidity (%)',
  chartCompare: 'Temperature of every city (°C)',
  seriesTime: 'Time',
  seriesAverage: 'average',
  seriesMin: 'min',
  seriesMax: 'max',
  seriesCount: 'readings',
  chartsResetZoom: 'Reset zoom',
  chartsZoomHint: 'Drag across a chart to zoom in.',
  downloadCsv: 'Download CSV of this range',
  chartsLoading: 'loading…',
  chartsEmpty: 'no readings in this range',
  chartsFailed: 'the readings could not be loaded; retrying',
  chartsCollecting: 'collecting since {time}',
  chartsNeedScript: 'The charts need JavaScript; the tables below work without it.',
  tableScroll: 'scrollable table',
  refreshEvery: 'Refreshes every {n} s',
  timesIn: 'Times in {zone}',
  ageNow: 'just now',
  ageSeconds: '{n} s ago',
  ageMinutes: '{n} min ago',
  ageHours: '{n} h ago',
  ageDays: '{n} d ago',
  outboxWaitingLocal: '{count} readings waiting to be stored in the local database (oldest {time})',
  storageOutboxFull: 'local storage full: readings are not being kept since {time}',
  storageOutboxFailed: 'local storage failing: readings are not being kept since {time}',
  storageDatabaseFull: 'database full since {time}: readings wait in the outbox',
  storageDatabaseFailed: 'the database cannot store readings since {time}: they wait in the outbox',
  problemAccessDenied: 'the database refused the account',
  problemUnreachable: 'the database cannot be reached',
  problemTimeout: 'the database did not answer in time',
  problemTlsFailed: 'the secure connection to the database failed',
  problemStorageFull: 'storage full',
  problemStorageFailed: 'storage cannot be written',
  problemFailed: 'the database failed',
  unknownCity: 'There is no city “{city}” here; showing {shown}.',
  errorNotFound: 'Nothing here',
  errorNotFoundText: 'There is no page at {path}.',
  errorInternal: 'Something went wrong',
  errorInternalText: 'The dashboard could not answer this request; the details are in its log.',
  errorBack: 'Back to the dashboard',
  alertsTitle: 'Alerts',
  alertFiring: '{rule} ({subject}): firing since {time}',
  alertPending: '{rule} ({subject}): pending since {time}',
  alertValue: 'value {value}',
  alertSystem: 'system',
  alertsUndeliverable: '{count} alert notifications could not be delivered in the last day',
  stationsTitle: 'Latest per station',
  stationsCaption: 'The most recent reading of each station, with its city',
  colStation: 'Station',
  colHistory: 'History',
  stationHistory: 'readings of the last day (JSON)',
  noStationReading: 'no reading yet',
  viewStation: 'One station',
  stationLabel: 'Station',
  stationChart: 'chart',
  stationChartOf: 'Chart of {station}',
  stationRangeJson: 'Readings of this range (JSON, newest 1,000)',
  unknownStation: 'There is no station “{station}” here; showing {shown}.',
};

export type MessageKey = keyof typeof en;

/** Every string the page shows, per language; a key missing from one language does not compile. */
export const MESSAGES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = {
  en,
  es: {
    tagline: 'telemetría del clima',
    skipToContent: 'Saltar al contenido',
    languageNav: 'Idioma',
    dbUp: 'base de datos conectada',
    dbDown: 'base de datos no disponible desde {time}, reintentando',
    outboxWaiting: '{count} lecturas esperando llegar a la nube (la más antigua de las {time})',
    latestTitle: 'Última lectura por ciudad',
    latestCaption: 'La lectura más reciente de cada ciudad',
    recentTitle: 'Últimas 15 lecturas',
    recentCaption: 'Las 15 lecturas más recientes, la más nueva primero',
    fromCache: 'últimos valores conocidos, de las {time}',
    readingsUnavailable: 'lecturas no disponibles: aún no llega nada de la base de datos',
    noReadings: 'aún no hay lecturas',
    colId: 'ID',
    colCity: 'Ciudad',
    colTemperature: 'Temperatura',
    colHumidity: 'Humedad',
    colTakenAt: 'Tomada a las',
    colAge: 'Antigüedad',
    colSource: 'Fuente',
    colStatus: 'Estado',
    sourceOpenMeteo: 'open-meteo',
    sourceSimulated: 'simulada',
    sourceDevice: 'estación',
    stale: 'desactualizada',
    weatherTitle: 'Clima en vivo',
    cityLabel: 'Ciudad',
    showCity: 'Ver',
    weatherUnavailable: 'clima en vivo no disponible por ahora',
    observedAt: 'Observado a las',
    weatherSource: 'Directo de Open-Meteo, sin guardar.',
    statusTitle: 'Estado',
    openMeteoUp: 'Open-Meteo disponible',
    openMeteoDown: 'Open-Meteo no disponible',
    openMeteoUnused: 'Open-Meteo sin usar',
    openMeteoCalls: '{calls} de {budget} llamadas hoy',
    outboxDepth: 'bandeja de salida: {n} en espera',
    outboxUnknown: 'bandeja de salida: el sensor no responde',
    freshnessTitle: 'Frescura',
    sourceTitle: 'Fuente',
    chartsTitle: 'Historial',
    chartsControls: 'Opciones de la gráfica',
    rangeLabel: 'Rango',
    range1h: '1 h',
    range24h: '24 h',
    range7d: '7 d',
    range30d: '30 d',
    viewLabel: 'Vista',
    viewCity: 'Una ciudad',
    viewCompare: 'Todas las ciudades',
    chartTemperature: 'Temperatura (°C)',
    chartHumidity: 'Humedad (%)',
    chartCompare: 'Temperatura de cada ciudad (°C)',
    seriesTime: 'Hora',
    seriesAverage: 'promedio',
    seriesMin: 'mín',
    seriesMax: 'máx',
    seriesCount: 'lecturas',
    chartsResetZoom: 'Quitar el zoom',
    chartsZoomHint: 'Arrastre sobre una gráfica para acercarla.',
    downloadCsv: 'Descargar CSV de este rango',
    chartsLoading: 'cargando…',
    chartsEmpty: 'no hay lecturas en este rango',
    chartsFailed: 'no se pudieron cargar las lecturas; reintentando',
    chartsCollecting: 'recopilando desde {time}',
    chartsNeedScript: 'Las gráficas necesitan JavaScript; las tablas de abajo funcionan sin él.',
    tableScroll: 'tabla desplazable',
    refreshEvery: 'Se actualiza cada {n} s',
    timesIn: 'Horas en {zone}',
    ageNow: 'ahora mismo',
    ageSeconds: 'hace {n} s',
    ageMinutes: 'hace {n} min',
    ageHours: 'hace {n} h',
    ageDays: 'hace {n} d',
    outboxWaitingLocal:
      '{count} lecturas esperando guardarse en la base de datos local (la más antigua de las {time})',
    storageOutboxFull: 'almacenamiento local lleno: las lecturas no se están guardando desde las {time}',
    storageOutboxFailed:
      'almacenamiento local con fallos: las lecturas no se están guardando desde las {time}',
    storageDatabaseFull: 'base de datos llena desde las {time}: las lecturas esperan en la bandeja de salida',
    storageDatabaseFailed:
      'la base de datos no puede guardar lecturas desde las {time}: esperan en la bandeja de salida',
    problemAccessDenied: 'la base de datos rechazó la cuenta',
    problemUnreachable: 'no se puede contactar la base de datos',
    problemTimeout: 'la base de datos no respondió a tiempo',
    problemTlsFailed: 'falló la conexión segura con la base de datos',
    problemStorageFull: 'almacenamiento lleno',
    problemStorageFailed: 'no se puede escribir en el almacenamiento',
    problemFailed: 'la base de datos falló',
    unknownCity: 'No hay ninguna ciudad «{city}» aquí; se muestra {shown}.',
    errorNotFound: 'Aquí no hay nada',
    errorNotFoundText: 'No hay ninguna página en {path}.',
    errorInternal: 'Algo salió mal',
    errorInternalText: 'El panel no pudo responder a esta petición; los detalles están en su registro.',
    errorBack: 'Volver al panel',
    alertsTitle: 'Alertas',
    alertFiring: '{rule} ({subject}): activa desde las {time}',
    alertPending: '{rule} ({subject}): pendiente desde las {time}',
    alertValue: 'valor {value}',
    alertSystem: 'sistema',
    alertsUndeliverable: '{count} notificaciones de alertas no se pudieron entregar en el último día',
    stationsTitle: 'Última lectura por estación',
    stationsCaption: 'La lectura más reciente de cada estación, con su ciudad',
    colStation: 'Estación',
    colHistory: 'Historial',
    stationHistory: 'lecturas del último día (JSON)',
    noStationReading: 'aún sin lecturas',
    viewStation: 'Una estación',
    stationLabel: 'Estación',
    stationChart: 'gráfica',
    stationChartOf: 'Gráfica de {station}',
    stationRangeJson: 'Lecturas de este rango (JSON, las 1.000 más recientes)',
    unknownStation: 'No hay ninguna estación «{station}» aquí; se muestra {shown}.',
  },
};

/** Replaces each `{name}` in `template`; the page script fills the same placeholders. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/**
 * The page's language: a valid `?lang=` wins, then the language Accept-Language rates highest
 * (by q-value, then by order; a region such as `es-CO` counts for its language, `*` for any
 * language not named), then `DEFAULT_LANG`.
 */
export function pickLang(queryLang: string | undefined, acceptLanguage: string | undefined): Lang {
  return asLang(queryLang?.trim().toLowerCase()) ?? bestAccepted(acceptLanguage ?? '') ?? DEFAULT_LANG;
}

function asLang(value: string | undefined): Lang | undefined {
  return LANGS.find((lang) => lang === value);
}

interface Preference {
  readonly q: number;
  readonly position: number;
}

function bestAccepted(header: string): Lang | undefined {
  const named = new Map<Lang, Preference>();
  let wildcard: Preference | undefined;
  header.split(',').forEach((entry, position) => {
    const [range = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = qValue(params);
    if (q === undefined) return;
    if (range === '*') {
      wildcard ??= { q, position };
      return;
    }
    const lang = asLang(range.split('-')[0]);
    const previous = lang && named.get(lang);
    if (lang && (!previous || q > previous.q)) named.set(lang, { q, position });
  });
  let best: { lang: Lang; q: number; position: number } | undefined;
  for (const lang of LANGS) {
    const preference = named.get(lang) ?? wildcard;
    if (!preference || preference.q === 0) continue;
    const better =
      !best ||
      preference.q > best.q ||
      (preference.q === best.q && preference.position < best.position) ||
      (preference.q === best.q && preference.position === best.position && lang === DEFAULT_LANG);
    if (better) best = { lang, ...preference };
  }
  return best?.lang;
}

/** The q-value of one Accept-Language entry, 1 when absent; `undefined` when malformed. */
function qValue(params: readonly string[]): number | undefined {
  const q = params.find((param) => param.startsWith('q='));
  if (q === undefined) return 1;
  const value = q.slice(2);
  return /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : undefined;
}
